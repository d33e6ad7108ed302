package dev.dlc.parse;

import dev.dlc.ast.Module;
import dev.dlc.diag.Diagnostics;
import dev.dlc.diag.Source;
import dev.dlc.grammar.DLLexer;
import dev.dlc.grammar.DLParser;
import java.util.List;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * Source text to AST. Never throws and never prints: syntax errors become diagnostics,
 * and the module keeps every declaration that parsed cleanly (a declaration with a
 * syntax error in it is left out whole, so later phases never meet half-built nodes).
 */
public final class Parser {
    private static final int MAX_NESTING = 100;

    private Parser() {}

    public static Module parse(String moduleName, Source source, Diagnostics diags) {
        var spans = new Spans(source);
        var errors = new ErrorReporter(spans, diags);
        try {
            var lexer = new DLLexer(CharStreams.fromString(source.text(), source.path()));
            lexer.removeErrorListeners();
            lexer.addErrorListener(errors.lexerListener());
            var tokens = new CommonTokenStream(lexer);
            tokens.fill();
            errors.reportBadTokens(tokens.getTokens());
            if (tooDeep(tokens.getTokens(), errors)) return new Module(moduleName, source, List.of());
            var tree = parseTree(tokens, errors);
            return new Module(moduleName, source, new AstBuilder(spans, diags).decls(tree));
        } catch (StackOverflowError deep) {
            // Deep nesting without brackets (`- - - ... x`): the recursive-descent parser
            // and every later phase recurse once per level.
            diags.error(source.span(0, 0), "nesting too deep to parse");
            return new Module(moduleName, source, List.of());
        } catch (RuntimeException bug) {
            // A bug in dlc, not in the user's file; still a diagnostic, never a stack trace.
            diags.error(source.span(0, 0), "internal error while parsing: " + bug);
            return new Module(moduleName, source, List.of());
        }
    }

    /**
     * Brackets nested deeper than any real program would overflow the stack of the parser
     * (a dozen rule levels per bracket) or of a later phase, so such a file is refused
     * before parsing, at the bracket that goes too deep.
     */
    private static boolean tooDeep(List<Token> tokens, ErrorReporter errors) {
        int depth = 0;
        for (Token t : tokens) {
            switch (t.getText()) {
                case "(", "[", "{" -> depth++;
                case ")", "]", "}" -> depth = Math.max(0, depth - 1);
                default -> { }
            }
            if (depth > MAX_NESTING) {
                errors.report(errors.spans().of(t), "nesting too deep to parse (more than " + MAX_NESTING + " brackets)");
                return true;
            }
        }
        return false;
    }

    /**
     * Two-stage parsing, as the ANTLR book recommends: the fast SLL mode suffices for
     * almost every file, and only a file it fails on is parsed again in full LL mode,
     * which also gives the precise error reports.
     */
    private static DLParser.ProgramContext parseTree(CommonTokenStream tokens, ErrorReporter errors) {
        var parser = new DLParser(tokens);
        parser.removeErrorListeners();
        parser.setErrorHandler(new BailErrorStrategy());
        parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
        try {
            return parser.program();
        } catch (ParseCancellationException sllFailed) {
            tokens.seek(0);
            parser.reset();
            parser.setErrorHandler(new ErrorStrategy(errors));
            parser.getInterpreter().setPredictionMode(PredictionMode.LL);
            return parser.program();
        }
    }
}
