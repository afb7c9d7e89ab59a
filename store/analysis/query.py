"""Retrieval by a small query language over codes: `Trust AND "Role > Boundaries"`.

    query   = or ;            or   = and { "OR" and } ;      and = near { AND near } ;
    near    = not { NEAR/N not } ;                            not = "NOT" not | operand ;
    operand = WORD | QUOTED | "(" or ")" ;                    AND = "AND" | "AND/TURN" | "AND/OVERLAP"

(docs/query.md has the grammar, the semantics and examples.) Keywords are case-insensitive.
An operand is a code (path or unique name) with its sub-codes.

Every expression stands for a set of codings. Each binary operator has a relation between
two codings of one document: AND, the same turn (the turn holding the coding's start, as
for its speaker); AND/OVERLAP, overlapping spans; NEAR/N, at most N words apart.
`L op R` is the codings of L related to some coding of R, together with the codings of R
related to some coding of L. A NOT side filters instead: `L op NOT R` is the codings of L
related to no coding of R (so `A AND NOT B` is A's codings in turns without B). A bare
`NOT R` is every coding in scope whose turn holds no coding of R.

Evaluation runs per document over that document's codings only: a set of turn numbers for
AND, and for the others a sorted sweep over interval starts with a running maximum of ends,
so no query compares all pairs.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from store.errors import BadInput
from store.model import Coding, Document
from store.patterns import later
from store.text import LETTERS as WORDS  # the words word_count counts
from store.text import word_around

# ------------------------------------------------------------------------------ the tree


@dataclass(frozen=True)
class Operand:
    name: str
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Not:
    operand: Node
    column: int = field(default=0, compare=False)

    @property
    def depth(self) -> int:
        return 1 + getattr(self.operand, "depth", 0)


@dataclass(frozen=True)
class Binary:
    op: str  # "or", "and", "overlap" (AND/OVERLAP) or "near"
    left: Node
    right: Node
    distance: int = 0  # words, for "near"
    column: int = field(default=0, compare=False)
    depth: int = field(default=1, compare=False)  # levels of operators below and with this one

    def keyword(self) -> str:
        return {"or": "OR", "and": "AND", "overlap": "AND/OVERLAP"}.get(self.op) or f"NEAR/{self.distance}"


Node = Operand | Not | Binary


@dataclass(frozen=True)
class Query:
    root: Node
    text: str = field(default="", compare=False)

    def __str__(self) -> str:
        return unparse(self.root)


def unparse(node: Node) -> str:
    """The query as text that parses back to the same tree (operands quoted, every binary
    sub-expression in parentheses)."""
    if isinstance(node, Operand):
        return '"' + node.name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(node, Not):
        return f"NOT {unparse(node.operand)}"
    return f"({unparse(node.left)} {node.keyword()} {unparse(node.right)})"


# ------------------------------------------------------------------------------ parsing

_BARE = later(r'[^\s()"]+')
_NEAR = later(r"near(?:/(.*))?", re.IGNORECASE | re.DOTALL)  # near/x is a mistyped NEAR/N, not a code
_AND = later(r"and(?:/(.*))?", re.IGNORECASE | re.DOTALL)
_EXAMPLE = "e.g. 'Trust AND \"Role > Boundaries\"'"


@dataclass(frozen=True)
class _Token:
    kind: str  # "code", "(", ")", "or", "and", "overlap", "near", "not", "end"
    text: str
    column: int  # 1-based
    distance: int = 0


def _fail(message: str) -> BadInput:
    """The error, kept on one line: a control character in a quoted name is shown escaped."""
    return BadInput("query: " + "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in message))


def _shown(token: _Token) -> str:
    return "the end of the query" if token.kind == "end" else f'"{token.text}"'


def tokens(text: str) -> list[_Token]:
    """The query's tokens, ending with an "end" token; a bad quote or keyword is BadInput."""
    found, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            found.append(_Token(ch, ch, i + 1))
            i += 1
        elif ch == '"':
            i = _quoted(text, i, found)
        else:
            word = _BARE.match(text, i).group()
            found.append(_word(word, i + 1))
            i += len(word)
    return [*found, _Token("end", "", len(text) + 1)]


def _quoted(text: str, i: int, found: list[_Token]) -> int:
    name, j = [], i + 1
    while j < len(text) and text[j] != '"':
        if text[j] == "\\" and j + 1 < len(text):
            j += 1
        name.append(text[j])
        j += 1
    if j >= len(text):
        raise _fail(f"the quote at column {i + 1} is never closed; end the code's name with \"")
    if not "".join(name).strip():
        raise _fail(f'empty code name "" at column {i + 1}; put a code\'s name or path between the quotes')
    found.append(_Token("code", "".join(name), i + 1))
    return j + 1


def _word(word: str, column: int) -> _Token:
    lowered = word.casefold()
    if lowered in ("or", "not"):
        return _Token(lowered, word, column)
    near = _NEAR.fullmatch(word)
    if near:
        if not (near.group(1) or "").isascii() or not (near.group(1) or "").isdigit():
            raise _fail(f'"{word}" at column {column} needs a distance in words, like NEAR/5')
        return _Token("near", word, column, int(near.group(1)))
    conjunction = _AND.fullmatch(word)
    if conjunction:
        mode = "turn" if conjunction.group(1) is None else conjunction.group(1).casefold()
        if mode not in ("turn", "overlap"):
            raise _fail(f'"{word}" at column {column}: AND takes /TURN (the default) or /OVERLAP')
        return _Token("and" if mode == "turn" else "overlap", word, column)
    return _Token("code", word, column)


MAX_DEPTH = 100  # nesting of operators and parentheses; keeps every walk well inside Python's stack


class _Parser:
    """Recursive descent with one function per precedence level (OR < AND < NEAR < NOT)."""

    def __init__(self, text: str):
        self.tokens = tokens(text)
        self.at = 0
        self.nesting = 0

    def deeper(self, column: int, depth: int = 0) -> None:
        if max(depth, self.nesting) > MAX_DEPTH:
            raise _fail(f"nested too deeply at column {column} (more than {MAX_DEPTH} levels); split it into several queries")

    @property
    def token(self) -> _Token:
        return self.tokens[self.at]

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def parse(self) -> Node:
        if self.token.kind == "end":
            raise _fail(f"empty; give codes joined by AND, OR, NOT, NEAR/N, {_EXAMPLE}")
        node = self.either()
        if self.token.kind == ")":
            raise _fail(f'unexpected ")" at column {self.token.column} (no "(" before it)')
        if self.token.kind != "end":
            raise _fail(f"expected AND, OR or NEAR/N at column {self.token.column}, found {_shown(self.token)}{self._hint()}")
        return node

    def _hint(self) -> str:
        before = self.tokens[self.at - 1]
        if before.kind == "code" and self.token.kind == "code":
            words = [before.text]
            for token in self.tokens[self.at :]:  # every bare word up to the next operator: the whole name
                if token.kind != "code":
                    break
                words.append(token.text)
            return f' (a name with spaces goes in quotes: "{" ".join(words)}")'
        return ""

    def either(self) -> Node:
        return self._chain(("or",), self.both)

    def both(self) -> Node:
        return self._chain(("and", "overlap"), self.near)

    def near(self) -> Node:
        return self._chain(("near",), self.negation)

    def _chain(self, kinds: tuple[str, ...], operand) -> Node:
        """Left-associative: `A AND B AND C` is `(A AND B) AND C`."""
        node = operand()
        while self.token.kind in kinds:
            op = self.take()
            right = operand()
            depth = 1 + max(getattr(node, "depth", 0), getattr(right, "depth", 0))
            self.deeper(op.column, depth)
            node = Binary(op.kind, node, right, op.distance, op.column, depth)
        return node

    def negation(self) -> Node:
        if self.token.kind == "not":
            column = self.take().column
            self.nesting += 1
            self.deeper(column)
            node = Not(self.negation(), column)
            self.nesting -= 1
            self.deeper(column, node.depth)
            return node
        return self.operand()

    def operand(self) -> Node:
        token = self.take()
        if token.kind == "code":
            return Operand(token.text, token.column)
        if token.kind == "(":
            self.nesting += 1
            self.deeper(token.column)
            node = self.either()
            self.nesting -= 1
            if self.token.kind != ")":
                if self.token.kind == "end":
                    raise _fail(f'unbalanced parenthesis: "(" at column {token.column} is never closed')
                raise _fail(f'expected ")" or an operator at column {self.token.column}, found {_shown(self.token)}{self._hint()}')
            self.take()
            return node
        before = self.tokens[self.at - 2] if self.at >= 2 else None
        after = f' after "{before.text}"' if before is not None and before.kind not in ("code", ")") else ""
        raise _fail(f'expected a code or "("{after} at column {token.column}, found {_shown(token)}')


def parse(text: str) -> Query:
    """The query's tree; a query that does not parse raises BadInput with one line saying
    where (the column, counted from 1), what was found and what was expected."""
    return Query(_Parser(text).parse(), text)


# ------------------------------------------------------------------------------ codes


def resolve(project, query: Query) -> dict[Operand, frozenset[str]]:
    """Each operand's code ids (the code and its sub-codes); an unknown or ambiguous name
    is BadInput at its column, with the nearest code suggested."""
    found = {}
    for operand in _operands(query.root):
        code = _code_named(project, operand)
        found[operand] = frozenset({code.id, *(c.id for c in project.codebook.descendants(code))})
    return found


def _operands(node: Node):
    return (n for n in _nodes(node) if isinstance(n, Operand))


def _nodes(node: Node):
    """Every node of the tree, parents before children, left before right."""
    pending = [node]
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, Not):
            pending.append(node.operand)
        elif isinstance(node, Binary):
            pending += [node.right, node.left]


def _code_named(project, operand: Operand):
    codes = project.state.codes
    if operand.name in codes:
        return codes[operand.name]
    try:
        code = project.codebook.find_path(operand.name)
    except BadInput:  # not a path at all (`A >> B`)
        code = None
    if code is not None:
        return code
    wanted = " ".join(operand.name.split()).casefold()
    named = [c for c in codes.values() if c.name.casefold() == wanted]
    if len(named) == 1:
        return named[0]
    if named:
        paths = "; ".join(sorted(project.codebook.path(c) for c in named))
        raise _fail(f'"{operand.name}" at column {operand.column} names several codes ({paths}); quote the full path')
    raise _fail(f'unknown code "{operand.name}" at column {operand.column}{_suggestion(project, operand.name)}')


def _suggestion(project, name: str) -> str:
    meant = project.codebook.meant(name)
    return f' (did you mean "{meant}"?)' if meant else "; see the codebook with `margin codes`"


# ------------------------------------------------------------------------------ evaluation


class _Document:
    """One document's codings in scope, in document order, as parallel lists: each
    coding's code, characters and turn (the turn holding its start, as for its speaker),
    and (for NEAR) where it lies in words."""

    def __init__(self, document: Document, codes: list[str], starts, ends, turns, text_of, cap: int = 0):
        self.document = document
        self.starts, self.ends, self.turn = starts, ends, turns
        self._text_of = text_of  # read only for NEAR
        self.cap = cap
        self._places: tuple[list[int], list[int]] | None = None
        self.by_code: dict[str, list[int]] = {}
        for i, code in enumerate(codes):
            self.by_code.setdefault(code, []).append(i)

    @classmethod
    def of(cls, document: Document, codings: list[Coding], text_of, cap: int) -> _Document:
        ends = [t.end for t in document.turns]
        last = len(ends) - 1
        turns = [min(bisect.bisect_right(ends, c.start), last) for c in codings] if ends else [0] * len(codings)
        starts = [c.start for c in codings]
        return cls(document, [c.code for c in codings], starts, [c.end for c in codings], turns, text_of, cap)

    def of_codes(self, codes: frozenset[str]) -> set[int]:
        found: set[int] = set()
        for code in codes & self.by_code.keys():
            found.update(self.by_code[code])
        return found

    def word_places(self) -> tuple[list[int], list[int]]:
        """Per coding, the words it touches as [first, after): `first` counts the words
        ending at or before its start, `after` the words starting before its end. Between
        a coding `a` and a later `b` lie first(b) - after(a) whole words.

        Computed once per document, and only from the codings' boundaries: each stretch of
        text between two neighbouring boundaries counts at most `self.cap` words (the
        largest NEAR/N of the query plus 2). A stretch that long already puts every pair
        across it more than N apart, so the figures are exact wherever they decide."""
        if self._places is None:
            text = self._text_of(self.document.id)
            places = sorted({*self.starts, *self.ends})
            cut = {p: _inside_word(text, p) for p in places}
            before, count = {}, 0  # words starting before each boundary, stretches capped
            for previous, place in zip([None, *places], places):
                if previous is not None:
                    count += _stretch_words(text, previous, place, self.cap, cut[previous])
                before[place] = count
            self._places = [before[s] - cut[s] for s in self.starts], [before[e] for e in self.ends]
        return self._places


def _inside_word(text: str, position: int) -> int:
    """1 when `position` cuts a word of `WORDS` (letters on both sides, or an inner
    apostrophe with letters around it), else 0: what `word_around` decides, by looking
    at three characters instead of tokenising."""
    if not 0 < position < len(text):
        return 0
    left, right = text[position - 1], text[position]
    if _letter(left):
        return int(_letter(right) or (right in _APOSTROPHES and position + 1 < len(text) and _letter(text[position + 1])))
    return int(left in _APOSTROPHES and position >= 2 and _letter(text[position - 2]) and _letter(right))


_APOSTROPHES = "'’"


def _letter(ch: str) -> bool:
    """A character of `\\w`: what str.isalnum says, and the underscore."""
    return ch.isalnum() or ch == "_"


def _stretch_words(text: str, start: int, end: int, cap: int, cut: int) -> int:
    """Words starting in text[start:end], counted up to `cap`; `cut` is 1 when `start` is
    inside a word, whose tail the search finds first. A long stretch is read only as far
    as its first 16 × cap characters when they already hold `cap` words."""
    reach = min(end, start + 16 * cap)
    found = len(WORDS.findall(text, start, reach)) - cut
    if found < cap and reach < end:
        found = len(WORDS.findall(text, start, end)) - cut
    return min(found, cap)


def _related(doc: _Document, wanted: set[int], others: set[int], node: Binary) -> set[int]:
    """The codings of `wanted` related by `node`'s operator to at least one of `others`."""
    if not wanted or not others:
        return set()
    if node.op == "and":
        turns = {doc.turn[i] for i in others}
        return {i for i in wanted if doc.turn[i] in turns}
    if node.op == "overlap":
        return _touching(wanted, others, doc.starts, doc.ends, strict=True)
    first, after = doc.word_places()  # near: first(b) - after(a) <= N, either way round
    return _touching(wanted, others, first, [x + node.distance for x in after], strict=False)


def _touching(wanted: set[int], others: set[int], lows, highs, strict: bool) -> set[int]:
    """Intervals of `wanted` meeting an interval of `others`: half-open [low, high) when
    `strict` (character spans), closed [low, high] otherwise (word spans, widened by N).
    The others are sorted by low with a running maximum of highs, so each test is one
    binary search."""
    order = sorted(others, key=lows.__getitem__)
    sorted_lows = [lows[i] for i in order]
    reach, top = [], None
    for i in order:
        top = highs[i] if top is None else max(top, highs[i])
        reach.append(top)
    found = set()
    for i in wanted:
        k = bisect.bisect_left(sorted_lows, highs[i]) if strict else bisect.bisect_right(sorted_lows, highs[i])
        if k and (reach[k - 1] > lows[i] if strict else reach[k - 1] >= lows[i]):
            found.add(i)
    return found


class _Evaluator:
    def __init__(self, doc: _Document, codes: dict[Operand, frozenset[str]]):
        self.doc = doc
        self.codes = codes
        self.everything = set(range(len(doc.starts)))

    def value(self, node: Node) -> set[int]:
        if isinstance(node, Operand):
            return self.doc.of_codes(self.codes[node])
        if isinstance(node, Not):  # bare: codings whose turn holds none of it
            return self.everything - _related(self.doc, self.everything, self.value(node.operand), _TURN)
        if node.op == "or":
            return self.value(node.left) | self.value(node.right)
        return self.relation(node)

    def relation(self, node: Binary) -> set[int]:
        left_not, right_not = isinstance(node.left, Not), isinstance(node.right, Not)
        if left_not and right_not:
            outside = self.everything
            for side in (node.left.operand, node.right.operand):
                outside = outside - _related(self.doc, outside, self.value(side), node)
            return outside
        if left_not or right_not:
            kept, negated = (node.right, node.left) if left_not else (node.left, node.right)
            keep = self.value(kept)
            return keep - _related(self.doc, keep, self.value(negated.operand), node)
        left, right = self.value(node.left), self.value(node.right)
        return _related(self.doc, left, right, node) | _related(self.doc, right, left, node)


_TURN = Binary("and", Operand(""), Operand(""))


def _needs_everything(node: Node) -> bool:
    """Whether the query can return codings of codes it does not name (a bare NOT, or NOT
    on both sides of an operator), so every coding in scope must be read."""
    if isinstance(node, Operand):
        return False
    if isinstance(node, Not):
        return True
    if node.op != "or" and isinstance(node.left, Not) and isinstance(node.right, Not):
        return True
    sides = [node.left, node.right]
    if node.op != "or":
        sides = [s.operand if isinstance(s, Not) else s for s in sides]
    return any(_needs_everything(s) for s in sides)


def find(project, query: Query | str, scope=None, columns: bool = True) -> list[Coding]:
    """The codings the query retrieves, in document order.

    The scope's documents, attributes, coder and speakers decide which codings the query
    sees; its code (with sub-codes) then keeps only the results of that code, so
    `NOT Trust` with code Role gives the Role codings in turns without Trust. After a
    read-only open the query runs over the kept columns (`columns` False: never), and only
    the documents holding results are read."""
    from store.analysis.scope import EVERYTHING, code_ids

    scope = EVERYTHING if scope is None else scope
    query = parse(query) if isinstance(query, str) else query
    codes = resolve(project, query)
    named = None if _needs_everything(query.root) else frozenset().union(*codes.values())
    keep = code_ids(project, scope)
    cap = 2 + max((n.distance for n in _nodes(query.root) if isinstance(n, Binary) and n.op == "near"), default=0)
    fast = _from_columns(project, query, scope, codes, named, keep, cap) if columns else None
    if fast is not None:
        return fast
    found: list[Coding] = []
    for document, codings in _codings_by_document(project, scope, named):
        doc = _Document.of(document, codings, project.text, cap)
        chosen = sorted(_Evaluator(doc, codes).value(query.root))
        found += [codings[i] for i in chosen if keep is None or codings[i].code in keep]
    return found


def _from_columns(project, query: Query, scope, codes, named, keep, cap: int) -> list[Coding] | None:
    """`find` over the kept columns (store/analysis/columns.py), or None where they do not
    apply: each document's codings in the plain path's order (start, end, id), and the
    `Coding` values read only for the documents holding results."""
    from store.analysis.columns import codings_of, gathered

    documents = gathered(project, scope, None if named is None else set(named))
    if documents is None:
        return None
    found: list[Coding] = []
    for part in documents:
        ids = part.coding_ids()
        starts, ends = part.start, part.end
        order = sorted(range(len(ids)), key=lambda i: (starts[i], ends[i], ids[i]))
        doc = _Document(
            part.document, [part.codes[i] for i in order], [starts[i] for i in order], [ends[i] for i in order],
            [part.turn_first[i] for i in order], project.text, cap,
        )  # fmt: skip
        chosen = [order[i] for i in sorted(_Evaluator(doc, codes).value(query.root))]
        chosen = [i for i in chosen if keep is None or part.codes[i] in keep]
        if chosen:
            held = codings_of(project, part)
            found += [held[ids[i]] for i in chosen]
    return found


def _codings_by_document(project, scope, codes: frozenset[str] | None):
    """(document, its codings in scope in document order), for the documents in scope;
    with `codes`, only codings of those codes are read (through the per-code index)."""
    from store.analysis.scope import documents_in, speaker_allowed

    documents = documents_in(project, scope)
    state = project.state
    if codes is None:
        grouped = {d.id: list(state.codings_by_document.get(d.id, {}).values()) for d in documents}
    else:
        wanted = {d.id for d in documents}
        grouped = {d.id: [] for d in documents}
        for code in codes:
            for coding in state.codings_by_code.get(code, {}).values():
                if coding.document in wanted:
                    grouped[coding.document].append(coding)
    filter_speakers = scope.speakers is not None or bool(scope.not_speakers)
    for document in documents:
        codings = grouped[document.id]
        if scope.coder is not None:
            codings = [c for c in codings if c.coder == scope.coder]
        if filter_speakers and document.turns:
            speakers = _speakers(document)
            codings = [c for c in codings if speaker_allowed(scope, speakers(c.start))]
        elif filter_speakers:
            codings = [c for c in codings if speaker_allowed(scope, "")]
        if codings:
            codings.sort(key=lambda c: (c.start, c.end, c.id))
            yield document, codings


def _speakers(document: Document):
    """The speaker at a position, as `speaker_of` gives it, by a binary search in C."""
    ends = [t.end for t in document.turns]
    names = [t.speaker for t in document.turns]
    last = len(ends) - 1
    return lambda position: names[min(bisect.bisect_right(ends, position), last)]
