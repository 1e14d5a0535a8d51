/** @internal */

/** A literal on the right-hand side; `text` is what was written (numbers keep their spelling). @internal */
export type Literal =
  | { readonly _tag: "String"; readonly text: string }
  | { readonly _tag: "Number"; readonly text: string; readonly value: number }

/** Comparison operators of the language. @internal */
export type Operator = "=" | ">" | ">=" | "<" | "<="

/** The expression tree; `column` is the 1-based column of the node's first token. @internal */
export type Expr =
  | {
      readonly _tag: "Compare"
      readonly field: string
      readonly operator: Operator
      readonly value: Literal
      readonly column: number
    }
  | { readonly _tag: "In"; readonly field: string; readonly values: ReadonlyArray<Literal>; readonly column: number }
  | { readonly _tag: "Exists"; readonly field: string; readonly negated: boolean; readonly column: number }
  | { readonly _tag: "And"; readonly items: ReadonlyArray<Expr>; readonly column: number }
  | { readonly _tag: "Or"; readonly items: ReadonlyArray<Expr>; readonly column: number }

/** A syntax or compile error at a 1-based column. @internal */
export class Failure {
  constructor(
    readonly column: number,
    readonly reason: string
  ) {}
}

type Token =
  | { readonly kind: "word"; readonly text: string; readonly column: number }
  | { readonly kind: "string"; readonly text: string; readonly column: number }
  | { readonly kind: "punct"; readonly text: string; readonly column: number }
  | { readonly kind: "end"; readonly text: ""; readonly column: number }

const keywords = new Set(["and", "or", "not", "in", "exists"])

/** Characters that end a bare word. @internal */
export const delimiters = new Set([" ", "\t", "\r", "\n", "(", ")", ",", "=", "!", "<", ">", '"', "'"])

const numberPattern = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/

/** Whether a bare word reads as a number literal. @internal */
export const isNumber = (text: string): boolean => numberPattern.test(text) && Number.isFinite(Number(text))

/** Whether a word is a keyword (case-insensitive). @internal */
export const isKeyword = (text: string): boolean => keywords.has(text.toLowerCase())

const identifierPattern = /^[A-Za-z_][A-Za-z0-9_]*$/

const tokenize = (text: string): Array<Token> => {
  const tokens: Array<Token> = []
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c === " " || c === "\t" || c === "\r" || c === "\n") {
      i++
      continue
    }
    const column = i + 1
    if (c === '"' || c === "'") {
      let value = ""
      i++
      for (;;) {
        if (i >= text.length) throw new Failure(column, `the string opened here is not closed with ${c}`)
        const d = text[i]!
        if (d === "\\" && i + 1 < text.length) {
          value += text[i + 1]
          i += 2
        } else if (d === c) {
          i++
          break
        } else {
          value += d
          i++
        }
      }
      tokens.push({ kind: "string", text: value, column })
      continue
    }
    if (c === "(" || c === ")" || c === ",") {
      tokens.push({ kind: "punct", text: c, column })
      i++
      continue
    }
    if (c === "=" || c === "!" || c === "<" || c === ">") {
      const two = text.slice(i, i + 2)
      const op = two === ">=" || two === "<=" || two === "!=" || two === "<>" || two === "==" ? two : c
      tokens.push({ kind: "punct", text: op, column })
      i += op.length
      continue
    }
    let word = ""
    while (i < text.length && !delimiters.has(text[i]!)) word += text[i++]
    tokens.push({ kind: "word", text: word, column })
  }
  tokens.push({ kind: "end", text: "", column: text.length + 1 })
  return tokens
}

const describe = (token: Token): string => (token.kind === "end" ? "the end of the expression" : `"${token.text}"`)

/** Deepest nesting of parentheses accepted. @internal */
export const maxGroupDepth = 64

const isWord = (token: Token, word: string) => token.kind === "word" && token.text.toLowerCase() === word

const isPunct = (token: Token, text: string) => token.kind === "punct" && token.text === text

const comparisons: ReadonlySet<string> = new Set<Operator>(["=", ">", ">=", "<", "<="])

/** A recursive-descent parser over the tokens of one expression; each method reads one grammar rule. */
class Parser {
  private pos = 0
  // Genesys allows two levels (filter → clauses); far deeper groups are refused before recursion can exhaust the stack.
  private depth = 0

  constructor(private readonly tokens: ReadonlyArray<Token>) {}

  peek(): Token {
    return this.tokens[this.pos]!
  }

  next(): Token {
    return this.tokens[this.pos++]!
  }

  expr(): Expr {
    return this.chain("Or", "or", () => this.and())
  }

  private and(): Expr {
    return this.chain("And", "and", () => this.unary())
  }

  private chain(tag: "And" | "Or", word: string, item: () => Expr): Expr {
    const first = item()
    const items: Array<Expr> = [first]
    while (isWord(this.peek(), word)) {
      this.next()
      items.push(item())
    }
    if (items.length === 1) return first
    const flat = items.flatMap((e) => (e._tag === tag ? e.items : [e]))
    return { _tag: tag, items: flat, column: first.column }
  }

  private unary(): Expr {
    const token = this.peek()
    if (isPunct(token, "(")) return this.group(token)
    if (isWord(token, "not")) return this.notExists(token)
    if (isWord(token, "exists")) {
      this.next()
      return { _tag: "Exists", field: this.field().name, negated: false, column: token.column }
    }
    return this.condition()
  }

  private group(open: Token): Expr {
    this.next()
    if (++this.depth > maxGroupDepth) {
      throw new Failure(open.column, `parentheses nest more than ${maxGroupDepth} deep`)
    }
    const inner = this.expr()
    this.depth--
    const close = this.next()
    if (!isPunct(close, ")")) {
      throw new Failure(
        close.column,
        `expected ")" to close the "(" at column ${open.column}, found ${describe(close)}`
      )
    }
    return inner
  }

  private notExists(not: Token): Expr {
    this.next()
    if (!isWord(this.next(), "exists")) {
      throw new Failure(
        not.column,
        `"not" can only negate "exists": Genesys predicates match, exist or do not exist, they cannot negate a match`
      )
    }
    return { _tag: "Exists", field: this.field().name, negated: true, column: not.column }
  }

  /** `field op literal` or `field in (literal, ...)`, with the operators Genesys cannot express refused by name. */
  private condition(): Expr {
    const f = this.field()
    const op = this.next()
    if (isWord(op, "in")) return { _tag: "In", field: f.name, values: this.list(), column: f.column }
    if (isPunct(op, "!=") || isPunct(op, "<>")) {
      throw new Failure(
        op.column,
        `"${op.text}" cannot be expressed: Genesys predicates cannot negate a value; list the values you want with "in (...)", or use "not exists"`
      )
    }
    if (isPunct(op, "==")) throw new Failure(op.column, `write "=" instead of "=="`)
    if (op.kind === "punct" && comparisons.has(op.text)) {
      const operator = op.text as Operator
      return { _tag: "Compare", field: f.name, operator, value: this.literal(`"${operator}"`), column: f.column }
    }
    throw new Failure(op.column, `expected an operator (=, >, >=, <, <=, in) after "${f.name}", found ${describe(op)}`)
  }

  /** The `(a, b, ...)` after `in`. */
  private list(): Array<Literal> {
    const open = this.next()
    if (!isPunct(open, "(")) throw new Failure(open.column, `expected "(" after "in", found ${describe(open)}`)
    const values = [this.literal(`"in ("`)]
    for (;;) {
      const sep = this.next()
      if (isPunct(sep, ")")) return values
      if (!isPunct(sep, ",")) throw new Failure(sep.column, `expected "," or ")" in the list, found ${describe(sep)}`)
      values.push(this.literal(`","`))
    }
  }

  private field(): { name: string; column: number } {
    const token = this.next()
    if (token.kind === "word" && identifierPattern.test(token.text) && !isKeyword(token.text)) {
      return { name: token.text, column: token.column }
    }
    throw new Failure(
      token.column,
      `expected a dimension or metric name such as mediaType or tHandle, found ${describe(token)}`
    )
  }

  private literal(after: string): Literal {
    const token = this.next()
    if (token.kind === "string") return { _tag: "String", text: token.text }
    if (token.kind === "word" && !isKeyword(token.text)) {
      return isNumber(token.text)
        ? { _tag: "Number", text: token.text, value: Number(token.text) }
        : { _tag: "String", text: token.text }
    }
    const hint = token.kind === "word" ? ` (quote it to use the word "${token.text}" as a value)` : ""
    throw new Failure(token.column, `expected a value after ${after}, found ${describe(token)}${hint}`)
  }
}

/**
 * Parses the filter language. Grammar (keywords case-insensitive; `and` binds tighter than `or`):
 *
 *     expr    = and { "or" and }
 *     and     = unary { "and" unary }
 *     unary   = "(" expr ")" | ["not"] "exists" field | field op literal | field "in" "(" literal { "," literal } ")"
 *     op      = "=" | ">" | ">=" | "<" | "<="
 *     literal = number | bare-word | "double-quoted" | 'single-quoted'
 *
 * Nested groups of the same operator are flattened, so `(a and b) and c` is one `And` of three.
 *
 * @internal
 */
export const parse = (text: string): Expr => {
  const parser = new Parser(tokenize(text))
  if (parser.peek().kind === "end") throw new Failure(1, "the expression is empty")
  const result = parser.expr()
  const rest = parser.peek()
  if (rest.kind !== "end") {
    const hint = isPunct(rest, ")") ? ` (no "(" is open)` : ` (expected "and", "or" or the end)`
    throw new Failure(rest.column, `unexpected ${describe(rest)}${hint}`)
  }
  return result
}

const renderLiteral = (literal: Literal): string => {
  if (literal._tag === "Number") return literal.text
  const text = literal.text
  const bare = text !== "" && !isKeyword(text) && !isNumber(text) && Array.from(text).every((c) => !delimiters.has(c))
  return bare ? text : `"${text.replace(/[\\"]/g, "\\$&")}"`
}

/**
 * Renders an expression as text that parses back to the same tree (columns aside).
 *
 * @internal
 */
export const render = (expr: Expr): string => {
  switch (expr._tag) {
    case "Compare":
      return `${expr.field} ${expr.operator} ${renderLiteral(expr.value)}`
    case "In":
      return `${expr.field} in (${expr.values.map(renderLiteral).join(", ")})`
    case "Exists":
      return `${expr.negated ? "not " : ""}exists ${expr.field}`
    case "And":
      return expr.items
        .map((item) => (item._tag === "Or" || item._tag === "And" ? `(${render(item)})` : render(item)))
        .join(" and ")
    case "Or":
      return expr.items.map((item) => (item._tag === "Or" ? `(${render(item)})` : render(item))).join(" or ")
  }
}
