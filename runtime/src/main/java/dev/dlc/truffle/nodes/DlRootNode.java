package dev.dlc.truffle.nodes;

import com.oracle.truffle.api.TruffleLanguage;
import com.oracle.truffle.api.frame.FrameDescriptor;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.RootNode;
import com.oracle.truffle.api.source.Source;
import com.oracle.truffle.api.source.SourceSection;
import dev.dlc.truffle.DlNone;

/** A file's {@code main} block: runs its statements, returns None. */
public final class DlRootNode extends RootNode {
    @Child private DlStmtNode body;
    private final Source source;
    private final SourceSection section;

    public DlRootNode(TruffleLanguage<?> language, FrameDescriptor frame, DlStmtNode body, Source source, SourceSection section) {
        super(language, frame);
        this.body = body;
        this.source = source;
        this.section = section;
    }

    Source source() { return source; }

    @Override public Object execute(VirtualFrame frame) {
        body.executeVoid(frame);
        return DlNone.INSTANCE;
    }

    @Override public SourceSection getSourceSection() { return section; }
    @Override public String getName() { return "main"; }
    @Override public String toString() { return "main"; }
}
