package dev.dlc.truffle.nodes;

import com.oracle.truffle.api.dsl.ImplicitCast;
import com.oracle.truffle.api.dsl.TypeSystem;

/** The host scalar types the DSL specializes on; an Int widens to a Float where one is expected. */
@TypeSystem({long.class, double.class, boolean.class, String.class})
public abstract class DlTypes {
    @ImplicitCast
    public static double castLong(long v) { return v; }
}
