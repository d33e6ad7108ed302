package dev.dlc.truffle.nodes;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.ExplodeLoop;
import com.oracle.truffle.api.nodes.Node;
import com.oracle.truffle.api.nodes.UnexpectedResultException;
import com.oracle.truffle.api.profiles.CountingConditionProfile;
import dev.dlc.truffle.DlContext;
import dev.dlc.truffle.DlException;
import dev.dlc.truffle.DlList;
import dev.dlc.truffle.DlNone;
import dev.dlc.truffle.Values;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The expressions of host code other than the operators: constants, names, lists, indexing, calls. */
public final class Expressions {
    private Expressions() {}

    public static final class Const extends DlExprNode {
        private final Object value;

        public Const(Object value) { this.value = value; }

        @Override public Object executeGeneric(VirtualFrame frame) { return value; }

        @Override public long executeLong(VirtualFrame frame) throws UnexpectedResultException {
            if (value instanceof Long n) return n;
            throw new UnexpectedResultException(value);
        }

        @Override public double executeDouble(VirtualFrame frame) throws UnexpectedResultException {
            if (value instanceof Double d) return d;
            if (value instanceof Long n) return n;
            throw new UnexpectedResultException(value);
        }
    }

    public static final class ReadLocal extends DlExprNode {
        private final int slot;

        public ReadLocal(int slot) { this.slot = slot; }

        @Override public Object executeGeneric(VirtualFrame frame) { return frame.getObject(slot); }
    }

    /** {@code [a, b]} and {@code (a, b)}: a fresh list each time, as Python does. */
    public static final class ListLit extends DlExprNode {
        @Children private final DlExprNode[] items;
        private final boolean tuple;

        public ListLit(DlExprNode[] items, boolean tuple) {
            this.items = items;
            this.tuple = tuple;
        }

        @Override @ExplodeLoop public Object executeGeneric(VirtualFrame frame) {
            Object[] v = new Object[items.length];
            for (int i = 0; i < items.length; i++) v[i] = items[i].executeGeneric(frame);
            return new DlList(v, tuple);
        }
    }

    /** {@code xs[i]} on a list, tuple or String; a negative index counts from the end, as in Python. */
    public static final class Index extends DlExprNode {
        @Child private DlExprNode target;
        @Child private DlExprNode index;

        public Index(DlExprNode target, DlExprNode index) {
            this.target = target;
            this.index = index;
        }

        @Override public Object executeGeneric(VirtualFrame frame) {
            Object t = target.executeGeneric(frame);
            Object i = index.executeGeneric(frame);
            return switch (t) {
                case DlList l -> l.get(position(index, l.size(), i));
                case String s -> Character.toString(s.codePointAt(s.offsetByCodePoints(0, position(index, s.codePointCount(0, s.length()), i))));
                default -> throw DlException.at(this, "cannot index " + Values.typeName(t));
            };
        }

        /** The element position of index {@code i} in a sequence of {@code size}; errors point at the index, as the checker's do. */
        private static int position(Node at, int size, Object i) {
            if (!(i instanceof Long n)) throw DlException.at(at, "an index must be an Int, found " + Values.typeName(i));
            long p = n < 0 ? n + size : n;
            if (p < 0 || p >= size) throw DlException.at(at, "index " + n + " is out of range for " + size + " element" + (size == 1 ? "" : "s"));
            return (int) p;
        }
    }

    /** {@code c if a else b}-style conditional expression: {@code if c { a } else { b }}. */
    public static final class IfExpr extends DlExprNode {
        @Child private DlExprNode cond, then, otherwise;
        private final CountingConditionProfile profile = CountingConditionProfile.create();

        public IfExpr(DlExprNode cond, DlExprNode then, DlExprNode otherwise) {
            this.cond = cond;
            this.then = then;
            this.otherwise = otherwise;
        }

        @Override public Object executeGeneric(VirtualFrame frame) {
            return profile.profile(Values.truthy(cond.executeGeneric(frame))) ? then.executeGeneric(frame) : otherwise.executeGeneric(frame);
        }
    }

    /** {@code a and b}, {@code a or b}: short-circuit, giving a Bool. */
    public static final class Logical extends DlExprNode {
        @Child private DlExprNode left, right;
        private final boolean isAnd;
        private final CountingConditionProfile profile = CountingConditionProfile.create();

        public Logical(DlExprNode left, DlExprNode right, boolean isAnd) {
            this.left = left;
            this.right = right;
            this.isAnd = isAnd;
        }

        @Override public Object executeGeneric(VirtualFrame frame) { return executeBoolean(frame); }

        @Override public boolean executeBoolean(VirtualFrame frame) {
            boolean l = Values.truthy(left.executeGeneric(frame));
            if (profile.profile(isAnd ? !l : l)) return l;
            return Values.truthy(right.executeGeneric(frame));
        }
    }

    public static final class Not extends DlExprNode {
        @Child private DlExprNode operand;

        public Not(DlExprNode operand) { this.operand = operand; }

        @Override public Object executeGeneric(VirtualFrame frame) { return !Values.truthy(operand.executeGeneric(frame)); }
    }

    /**
     * A call of a builtin by name, e.g. {@code print(x)} or {@code fit(m, data, epochs = 2)}:
     * arguments left to right, then {@link dev.dlc.truffle.HostBuiltins#call} of the context.
     */
    public static final class Call extends DlExprNode {
        private final String name;
        @Children private final DlExprNode[] args;
        private final String[] keywords;   // keywords[i] == null for a positional argument

        public Call(String name, DlExprNode[] args, String[] keywords) {
            this.name = name;
            this.args = args;
            this.keywords = keywords;
        }

        @Override @ExplodeLoop public Object executeGeneric(VirtualFrame frame) {
            Object[] values = new Object[args.length];
            for (int i = 0; i < args.length; i++) values[i] = args[i].executeGeneric(frame);
            return call(values);
        }

        @TruffleBoundary
        private Object call(Object[] values) {
            List<Object> positional = new ArrayList<>();
            Map<String, Object> named = new LinkedHashMap<>();
            for (int i = 0; i < values.length; i++) {
                if (keywords[i] == null) positional.add(values[i]);
                else named.put(keywords[i], values[i]);
            }
            var program = ((DlRootNode) getRootNode()).program();
            Object r = DlContext.get(this).builtins().call(program, name, positional, named, getSourceSection());
            return r == null ? DlNone.INSTANCE : r;
        }
    }

    /** A construct the checker accepts in host code but the host interpreter does not run yet. */
    public static final class Unsupported extends DlExprNode {
        private final String what;

        public Unsupported(String what) { this.what = what; }

        @Override public Object executeGeneric(VirtualFrame frame) {
            throw DlException.at(this, what + " is not supported in host code yet");
        }
    }
}
