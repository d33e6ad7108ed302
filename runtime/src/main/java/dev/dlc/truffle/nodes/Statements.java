package dev.dlc.truffle.nodes;

import com.oracle.truffle.api.Truffle;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.ExplodeLoop;
import com.oracle.truffle.api.nodes.LoopNode;
import com.oracle.truffle.api.nodes.RepeatingNode;
import com.oracle.truffle.api.profiles.CountingConditionProfile;
import dev.dlc.truffle.DlException;
import dev.dlc.truffle.DlList;
import dev.dlc.truffle.Values;

/** The statements of host code: blocks, let and assignment, if, for, expressions. */
public final class Statements {
    private Statements() {}

    public static final class Block extends DlStmtNode {
        @Children private final DlStmtNode[] stmts;

        public Block(DlStmtNode[] stmts) { this.stmts = stmts; }

        @Override @ExplodeLoop public void executeVoid(VirtualFrame frame) {
            for (DlStmtNode s : stmts) s.executeVoid(frame);
        }
    }

    /** {@code let x = e} and {@code x = e}: the checker resolved the name; the translator gave it a frame slot. */
    public static final class WriteLocal extends DlStmtNode {
        private final int slot;
        @Child private DlExprNode value;

        public WriteLocal(int slot, DlExprNode value) {
            this.slot = slot;
            this.value = value;
        }

        @Override public void executeVoid(VirtualFrame frame) { frame.setObject(slot, value.executeGeneric(frame)); }
    }

    /** {@code let (a, b) = e}: unpacks a list or tuple of exactly that many elements. */
    public static final class Unpack extends DlStmtNode {
        private final int[] slots;
        @Child private DlExprNode value;

        public Unpack(int[] slots, DlExprNode value) {
            this.slots = slots;
            this.value = value;
        }

        @Override @ExplodeLoop public void executeVoid(VirtualFrame frame) {
            Object v = value.executeGeneric(frame);
            if (!(v instanceof DlList l) || l.size() != slots.length)
                throw DlException.at(this, "cannot unpack " + Values.typeName(v) + (v instanceof DlList l ? " of length " + l.size() : "") + " into " + slots.length + " names");
            for (int i = 0; i < slots.length; i++) frame.setObject(slots[i], l.get(i));
        }
    }

    /** The {@code main} block: runs unless the context's options leave it out. */
    public static final class Main extends DlStmtNode {
        @Child private DlStmtNode body;

        public Main(DlStmtNode body) { this.body = body; }

        @Override public void executeVoid(VirtualFrame frame) {
            if (dev.dlc.truffle.DlContext.get(this).runsMain()) body.executeVoid(frame);
        }
    }

    /** A {@code train} block: runs the job, when the context's options select it. */
    public static final class Train extends DlStmtNode {
        private final String job;

        public Train(String job) { this.job = job; }

        @Override public void executeVoid(VirtualFrame frame) { run(); }

        @com.oracle.truffle.api.CompilerDirectives.TruffleBoundary
        private void run() {
            var context = dev.dlc.truffle.DlContext.get(this);
            if (context.runs(job)) context.builtins().train(((DlRootNode) getRootNode()).program(), job, getSourceSection());
        }
    }

    public static final class ExprStmt extends DlStmtNode {
        @Child private DlExprNode expr;

        public ExprStmt(DlExprNode expr) { this.expr = expr; }

        @Override public void executeVoid(VirtualFrame frame) { expr.executeGeneric(frame); }
    }

    public static final class If extends DlStmtNode {
        @Child private DlExprNode cond;
        @Child private DlStmtNode then;
        @Child private DlStmtNode otherwise;   // may be null
        private final CountingConditionProfile profile = CountingConditionProfile.create();

        public If(DlExprNode cond, DlStmtNode then, DlStmtNode otherwise) {
            this.cond = cond;
            this.then = then;
            this.otherwise = otherwise;
        }

        @Override public void executeVoid(VirtualFrame frame) {
            if (profile.profile(Values.truthy(cond.executeGeneric(frame)))) then.executeVoid(frame);
            else if (otherwise != null) otherwise.executeVoid(frame);
        }
    }

    /**
     * {@code for x in xs { }} over a list, a tuple or a String's characters. The loop is a
     * Truffle {@link LoopNode}, so a long-running loop in {@code main} (which runs once) is
     * compiled by on-stack replacement. The list and the position live in hidden frame slots.
     */
    public static final class For extends DlStmtNode {
        @Child private DlExprNode iterable;
        @Child private LoopNode loop;
        private final int itemsSlot;
        private final int indexSlot;

        public For(DlExprNode iterable, int varSlot, int itemsSlot, int indexSlot, DlStmtNode body) {
            this.iterable = iterable;
            this.itemsSlot = itemsSlot;
            this.indexSlot = indexSlot;
            this.loop = Truffle.getRuntime().createLoopNode(new Step(varSlot, itemsSlot, indexSlot, body));
        }

        @Override public void executeVoid(VirtualFrame frame) {
            Object xs = iterable.executeGeneric(frame);
            Object[] items = switch (xs) {
                case DlList l -> l.asList().toArray();
                case String s -> s.codePoints().mapToObj(Character::toString).toArray();
                default -> throw DlException.at(iterable, "for: cannot iterate over " + Values.typeName(xs));
            };
            frame.setObject(itemsSlot, items);
            frame.setLong(indexSlot, 0);
            loop.execute(frame);
        }

        private static final class Step extends com.oracle.truffle.api.nodes.Node implements RepeatingNode {
            private final int varSlot, itemsSlot, indexSlot;
            @Child private DlStmtNode body;

            Step(int varSlot, int itemsSlot, int indexSlot, DlStmtNode body) {
                this.varSlot = varSlot;
                this.itemsSlot = itemsSlot;
                this.indexSlot = indexSlot;
                this.body = body;
            }

            @Override public boolean executeRepeating(VirtualFrame frame) {
                Object[] items = (Object[]) frame.getObject(itemsSlot);
                long i = frame.getLong(indexSlot);
                if (i >= items.length) return false;
                frame.setObject(varSlot, items[(int) i]);
                frame.setLong(indexSlot, i + 1);
                body.executeVoid(frame);
                return true;
            }
        }
    }
}
