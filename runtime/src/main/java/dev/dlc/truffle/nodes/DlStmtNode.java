package dev.dlc.truffle.nodes;

import com.oracle.truffle.api.frame.VirtualFrame;

/** A statement of host code. */
public abstract class DlStmtNode extends DlNode {
    public abstract void executeVoid(VirtualFrame frame);
}
