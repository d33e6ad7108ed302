package dev.dlc.truffle.nodes;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.nodes.Node;
import com.oracle.truffle.api.source.SourceSection;
import dev.dlc.diag.Span;

/** A host-code node; it knows the characters of the source it came from, for errors and tools. */
public abstract class DlNode extends Node {
    private int start = -1;
    private int length;

    /** Sets where this node was written; returns this, for building trees in one expression. */
    @SuppressWarnings("unchecked")
    public final <T extends DlNode> T at(Span span) {
        if (span != null) {
            this.start = span.start();
            this.length = span.end() - span.start();
        }
        return (T) this;
    }

    @Override
    @TruffleBoundary
    public SourceSection getSourceSection() {
        if (start < 0 || !(getRootNode() instanceof DlRootNode root)) return null;
        return root.source().createSection(start, length);
    }
}
