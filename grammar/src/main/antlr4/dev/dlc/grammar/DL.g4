// The grammar of DL (see docs/language.md).
//
// Newlines are whitespace: statements and members are separated by the shape of the
// grammar itself (no expression rule puts two primaries side by side), and `;` may be
// written where a reader wants it. Every alternative carries a label so that every
// visitor method has a name; no actions live here.
grammar DL;

program    : topDecl* EOF ;

topDecl
    : 'use' dottedName                                                  # UseModule
    | 'use' STRING                                                      # UseFile
    | 'layer' name params ( '{' member* '}' | '=' expr )                # LayerDecl
    | 'fn' name params ( '->' type )? body                              # FnDecl
    | 'optimizer' name params '{' member* '}'                           # OptimizerDecl
    | 'schedule' name params params ( '->' type )? body                 # ScheduleDecl
    | 'train' name '{' trainEntry* '}'                                  # TrainDecl
    | 'main' block                                                      # MainDecl
    | ';'                                                               # EmptyDecl
    ;

dottedName : name ( '.' name )* ;

params     : '(' ( param ( ',' param )* ','? )? ')' ;
param      : name ( ':' type )? ( '=' expr )? ;

body       : '=' expr                                                   # ExprBody
           | block                                                      # BlockBody
           ;

member
    : 'param' name ':' type ( '=' expr )?                               # ParamMember
    | 'buffer' name ':' type ( '=' expr )?                              # BufferMember
    | 'state' name ( ':' type )? '=' expr                               # StateMember
    | name params ( '->' type )? body                                   # MethodMember
    | name '=' expr                                                     # ChildMember
    | 'if' cond=expr '{' thenM+=member* '}' ( 'else' '{' elseM+=member* '}' )?  # IfMember
    | ';'                                                               # EmptyMember
    ;

trainEntry : key '=' expr                                               # TrainKey
           | ';'                                                        # EmptyTrainKey
           ;

block      : '{' stmt* '}' ;

stmt
    : 'let' pattern ( ':' type )? '=' expr                              # LetStmt
    | 'return' expr                                                     # ReturnStmt
    | 'for' name 'in' expr block                                        # ForStmt
    | 'if' expr block ( 'else' ( ifTail=stmt | elseBlock=block ) )?     # IfStmt
    // One alternative for `x = e` and `e`: telling them apart up front would make the
    // parser scan every expression statement twice. The builder checks the target.
    | target=expr ( '=' value=expr )?                                   # ExprStmt
    | ';'                                                               # EmptyStmt
    ;

pattern    : name                                                       # NamePattern
           | '(' pattern ( ',' pattern )+ ')'                           # TuplePattern
           ;

// ---------------------------------------------------------------- types
type
    : name '[' ( dim ( ',' dim )* )? ']' optional='?'?                  # TensorType
    | name optional='?'?                                                # NamedType
    | '(' type ( ',' type )+ ')' optional='?'?                          # TupleType
    | '[' type ']' optional='?'?                                        # ListType
    ;

dim
    : '...'                                                             # EllipsisDim
    | '(' dim ')'                                                       # ParenDim
    | dim op=( '*' | '/' | '//' ) dim                                   # MulDim
    | dim op=( '+' | '-' ) dim                                          # AddDim
    | INT                                                               # IntDim
    | name                                                              # NameDim
    ;

// ---------------------------------------------------------------- expressions
// One rule per precedence level, loosest first: if-then-else, `then` (schedules one after
// another, right-associative), |>, or, and, not, comparisons, + -, * / // % @, unary - +,
// **, postfix (call, index, .field). An if's condition is a `pipe`, so its `then` is never
// read as the schedule operator. `then` is an optional tail, not an alternative, so the
// parser decides on one token and a broken expression still says what was expected.
expr
    : 'if' cond=pipe 'then' thenE=expr 'else' elseE=expr                # IfExpr
    | pipe ( 'then' next=expr )?                                        # PipeTop
    ;

pipe
    : lhs=pipe '|>' rhs=postfix                                         # PipeExpr
    | orExpr                                                            # PipeOperand
    ;

orExpr     : andExpr ( 'or' andExpr )* ;
andExpr    : notExpr ( 'and' notExpr )* ;

notExpr
    : 'not' notExpr                                                     # NotOp
    | compare                                                           # NotOperand
    ;

compare    : lhs=arith ( op=( '<' | '<=' | '>' | '>=' | '==' | '!=' ) rhs=arith )? ;

arith
    : lhs=arith op=( '+' | '-' ) rhs=term                               # AddArith
    | term                                                              # TermArith
    ;

term
    : lhs=term op=( '*' | '/' | '//' | '%' | '@' ) rhs=unary            # MulTerm
    | unary                                                             # UnaryTerm
    ;

unary
    : op=( '-' | '+' ) unary                                            # NegUnary
    | power                                                             # PowerUnary
    ;

// -x ** 2 is -(x ** 2), and 2 ** -1 is allowed, as in Python.
power      : base=postfix ( '**' exponent=unary )? ;

postfix
    : postfix '(' args? ')'                                             # CallExpr
    | postfix '[' index ( ',' index )* ','? ']'                         # IndexExpr
    | postfix '.' name                                                  # FieldExpr
    | primary                                                           # PrimaryExpr
    ;

args       : arg ( ',' arg )* ','? ;
arg        : key '=' expr                                               # KeywordArg
           | expr                                                       # PositionalArg
           ;

// `x[i]` and `x[a:b]` share their start for the same reason: a point is an index with no colon.
index
    : '...'                                                             # EllipsisIndex
    | lo=expr ( colon=':' hi=expr? ( ':' step=expr? )? )?               # ExprIndex
    | ':' hi=expr? ( ':' step=expr? )?                                  # SliceIndex
    ;

primary
    : INT                                                               # IntLit
    | FLOAT                                                             # FloatLit
    | STRING                                                            # StringLit
    | ( 'true' | 'false' )                                              # BoolLit
    | name                                                              # NameRef
    // One alternative for `(a)` and `(a, b)`: as two, telling them apart would need the
    // parser to look past the whole first element, again at every level of nesting.
    | '(' expr ( ',' expr )* comma=','? ')'                             # ParenExpr
    | '[' ( expr ( ',' expr )* ','? )? ']'                              # ListExpr
    | 'seq' '{' seqItem* '}'                                            # SeqExpr
    | 'repeat' count=expr '{' seqItem* '}'                              # RepeatExpr
    ;

seqItem    : expr                                                       # SeqLayer
           | ';'                                                        # SeqEmpty
           ;

// `in` is a keyword of `for`, but `in` is also the usual name of an input dimension
// (`f32[in, out]`), so a name may be `in` wherever the parser can tell them apart.
name       : ID | 'in' ;

// Keys of `train` entries and keyword arguments. `optimizer = adam(...)` is the usual
// train key, and a keyword such as `state` is a natural argument name; after a key
// comes `=`, so these keywords cannot be mistaken for the start of a declaration.
key        : name | 'optimizer' | 'schedule' | 'state' | 'param' | 'buffer' | 'train' | 'layer' ;

// ---------------------------------------------------------------- lexer
INT        : [0-9]+ ( '_' [0-9]+ )* ;
FLOAT      : [0-9]+ ( '_' [0-9]+ )* '.' [0-9]+ EXPONENT?
           | [0-9]+ ( '_' [0-9]+ )* EXPONENT
           ;
fragment EXPONENT : [eE] [+-]? [0-9]+ ;
// Digits run into letters (`0x1F`, `0.5f`), an exponent without digits (`1e-`), a second
// dot (`0.0.1`): one token, longer than any INT or FLOAT it starts with, reported by name.
BAD_NUMBER : [0-9]+ ( '.' [0-9]+ )? ( [eE] [+-]? | [eE]? [+-]? [A-Za-z_] [A-Za-z0-9_]* | '.' [0-9]* ( '.' [0-9]* )* ) ;
STRING     : '"' ( ~["\\\r\n] | '\\' ~[\r\n] )* '"' ;
// A string that reaches the end of its line unclosed; being shorter than any STRING
// it only wins when the closing quote is missing, and the parser reports it by name.
UNTERMINATED_STRING : '"' ( ~["\\\r\n] | '\\' ~[\r\n] )* '\\'? ;
ID         : [A-Za-z_] [A-Za-z0-9_]* ;
COMMENT    : '#' ~[\r\n]* -> skip ;
// A byte-order mark, which some editors write at the start of a file, is whitespace too.
WS         : [ \t\r\n\f\uFEFF]+ -> skip ;
// Anything else becomes one token, so the parser reports it with its position
// instead of the lexer printing to stderr.
UNKNOWN    : . ;
