"""Reading an OFX body into an element tree: ofxtools first, a tolerant scanner when it fails.

Both readers return an `xml.etree.ElementTree.Element` rooted at `<OFX>` with upper-case tags
and raw text (entities are decoded later, by the caller). ofxtools' reader is strict about
syntax but silent about nesting (an empty unclosed `<BALAMT>` swallows its siblings), so it
is wrapped to check that every end tag closes the element it should; on any doubt the
tolerant scanner reads the file instead. The scanner copes with what real bank files do:
unclosed leaf tags in 1.x and 2.x, empty leaves, lower-case tags, stray end tags, CDATA,
text after `</OFX>`, several OFX documents concatenated in one file (read as one).
`LineFinder` gives row errors their file line, since neither tree keeps one.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ofxtools.Parser import ParseError, TreeBuilder

from ...errors import FormatError

# A tag opens an aggregate when it is a known one, or when its end tag appears somewhere in
# the file and it is not a known leaf; other tags are leaves, their end tags optional.
# Leaves this project reads: written without text they are empty, never aggregates.
LEAVES = frozenset({
    "ACCTID", "ACCTTYPE", "BALAMT", "BANKID", "BRANCHID", "CHECKNUM", "CURDEF", "CURSYM",
    "DTASOF", "DTPOSTED", "DTUSER", "FITID", "MEMO", "NAME", "ORG", "TRNAMT", "TRNTYPE",
})
# Aggregates of the statements read here: known even when a truncated file never closes them.
AGGREGATES = frozenset({
    "OFX", "SIGNONMSGSRSV1", "SONRS", "STATUS", "FI", "BANKMSGSRSV1", "STMTTRNRS", "STMTRS",
    "CREDITCARDMSGSRSV1", "CCSTMTTRNRS", "CCSTMTRS", "BANKACCTFROM", "CCACCTFROM",
    "BANKTRANLIST", "STMTTRN", "PAYEE", "CURRENCY", "ORIGCURRENCY", "BANKACCTTO", "CCACCTTO",
    "LEDGERBAL", "AVAILBAL",
})

_TOKEN = re.compile(
    r"<!\[CDATA\[(?P<cdata>.*?)\]\]>"
    r"|<!--.*?-->|<\?.*?\?>"
    r"|<(?P<end>/)?\s*(?P<tag>[A-Za-z][A-Za-z0-9._]*)\s*/?>"
    r"|(?P<text>[^<]+|<)",
    re.DOTALL,
)


class _CheckedBuilder(TreeBuilder):
    """ofxtools' TreeBuilder, refusing an end tag that does not close the open element."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        self.open.append(tag)
        return super().start(tag, attrs)

    def end(self, tag: str) -> ET.Element:
        if not self.open or self.open[-1] != tag:
            raise ParseError(f"end tag {tag} does not close {self.open[-1:]}")
        self.open.pop()
        return super().end(tag)


def read_with_ofxtools(body: str) -> ET.Element | None:
    """The tree as ofxtools reads it, or None when it fails or its tree cannot be trusted."""
    builder = _CheckedBuilder()
    try:
        builder.feed(body)
        root = builder.close()
    except Exception:  # ParseError, or ElementTree's own errors: let the tolerant reader try
        return None
    if builder.open or root is None or root.tag != "OFX":
        return None  # truncated, or tags ofxtools skipped (it only knows upper-case tags)
    if len(list(root.iter("STMTTRN"))) != count_tags(body, "STMTTRN"):
        return None
    return root


def count_tags(body: str, tag: str) -> int:
    return len(re.findall(rf"<{tag}\s*>", body, re.IGNORECASE))


def read_tolerant(body: str, name: str, first_line: int = 1) -> ET.Element:
    """Scan tags one by one. `first_line` is the file line where `body` starts (for errors)."""
    closed = {m.upper() for m in re.findall(r"</\s*([A-Za-z][A-Za-z0-9._]*)", body)}
    root: ET.Element | None = None
    stack: list[tuple[ET.Element, int]] = []  # open aggregates and the line they start on
    leaf: ET.Element | None = None  # the last leaf, which may still receive text
    opened: ET.Element | None = None  # an aggregate just opened: text after it makes it a leaf
    line = first_line
    for m in _TOKEN.finditer(body):
        start_line = line
        line += m.group(0).count("\n")
        if m.group("tag"):
            tag = m.group("tag").upper()
            leaf = opened = None
            if m.group("end"):
                open_tags = [e.tag for e, _ in stack]
                if tag in open_tags:  # an end tag closes every element opened inside it
                    del stack[len(open_tags) - 1 - open_tags[::-1].index(tag):]
                continue  # a stray end tag (of a leaf, or of nothing open)
            if not stack:
                if tag == "OFX":  # the document, or another one concatenated after it
                    root = root if root is not None else ET.Element(tag)
                    stack.append((root, start_line))
                continue  # before <OFX> or after </OFX>: not part of a document
            element = ET.SubElement(stack[-1][0], tag)
            element.text = ""
            if tag not in AGGREGATES and (tag in LEAVES or tag not in closed):
                leaf = element  # a leaf: its text follows, its end tag is optional
            else:
                stack.append((element, start_line))
                opened = element
            continue
        text = m.group("cdata") if m.group("cdata") is not None else m.group("text") or ""
        if opened is not None and text.strip():
            stack.pop()  # `<SEVERITY>INFO` where `</SEVERITY>` exists elsewhere: a leaf after all
            leaf, opened = opened, None
        if leaf is not None:
            leaf.text += text
    if root is None:
        raise FormatError("expected an <OFX> element, found none", file=name,
                          hint="check that this is the OFX file itself")
    _check_complete(stack, name)
    for element in root.iter():
        if element.text is not None:
            element.text = element.text.strip()
    return root


def _check_complete(stack: list[tuple[ET.Element, int]], name: str) -> None:
    """Only a missing final </OFX> is forgiven (nothing is lost); any other open aggregate
    at the end of the file means the download was cut."""
    if len(stack) > 1:
        inner, line = stack[-1]
        raise FormatError(
            f"the file ends inside the <{inner.tag}> that starts here: it looks truncated",
            file=name,
            line=line,
            hint="download the statement again",
        )


class LineFinder:
    """File lines for row errors: the k-th `<STMTTRN>` of the text is the k-th STMTTRN
    element of the tree, whichever reader built it; a tag is then searched inside it."""

    def __init__(self, body: str, first_line: int) -> None:
        self.body, self.first_line = body, first_line
        self.starts: dict[str, list[int]] = {}

    def line(self, outer: str, k: int, tag: str) -> int | None:
        if outer not in self.starts:
            self.starts[outer] = [m.start() for m in
                                  re.finditer(rf"<{outer}\s*>", self.body, re.IGNORECASE)]
        starts = self.starts[outer]
        if k >= len(starts):
            return None
        end = starts[k + 1] if k + 1 < len(starts) else len(self.body)
        m = re.compile(rf"<{tag}\s*>", re.IGNORECASE).search(self.body, starts[k], end)
        return self.first_line + self.body.count("\n", 0, m.start() if m else starts[k])
