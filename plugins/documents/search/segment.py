"""Chinese word segmentation for PostgreSQL full-text search (全文检索) with the ``simple`` configuration.

PostgreSQL has no Chinese parser; jieba splits the text into words, which are stored space-separated
so that ``to_tsvector('simple', segment(text))`` indexes them. Queries go through :func:`tsquery`, which
only ever emits quoted word lexemes, so no tsquery syntax typed by a user reaches PostgreSQL.

    to_tsvector('simple', :segmented) @@ to_tsquery('simple', :query)
    [AND content LIKE :pattern ...]   -- like_patterns(q): optional exact-substring recheck
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from pathlib import Path

import jieba

MAX_TERMS = 16  # a query with more words is cut: longer AND-chains only slow the index scan
MAX_TERM_CHARS = 48
# Function words that would only narrow a Chinese query without meaning (query side only).
STOP_WORDS = frozenset("的了和与及或是在对于把被为之其等并也都就而将从以由")
# Government vocabulary jieba's general dictionary splits badly; kept whole on both sides.
GOV_WORDS = (
    "乡村振兴",
    "安全生产",
    "防汛抗旱",
    "营商环境",
    "河长制",
    "林长制",
    "放管服",
    "一网通办",
    "最多跑一次",
    "12345热线",
    "人居环境",
    "高标准农田",
    "招商引资",
    "疫情防控",
    "森林防火",
    "信访维稳",
    "督查督办",
    "文明城市",
    "双拥",
    "殡葬改革",
    "退役军人",
    "专项债券",
    "财政预算",
    "项目建设",
    "民生实事",
    "网格化",
    "矛盾纠纷",
    "扫黑除恶",
    "生态环境",
    "污染防治",
    "耕地保护",
    "粮食安全",
    "防止返贫",
)

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def _cache_dir() -> str:
    """A private (0700) directory for jieba's dictionary cache: it is unmarshalled on load, so it must not
    live where another user could plant one."""
    path = Path(tempfile.gettempdir()) / f"fuban-jieba-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    info = path.stat()
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        path = Path(tempfile.mkdtemp(prefix="fuban-jieba-"))
    return str(path)


def tokenizer() -> jieba.Tokenizer:
    """The process-wide jieba tokenizer, built once (thread-safe), without jieba's stderr chatter."""
    global _tokenizer  # noqa: PLW0603 - a lazily built process-wide singleton
    if _tokenizer is not None:
        return _tokenizer
    with _lock:
        if _tokenizer is None:
            jieba.setLogLevel(logging.WARNING)
            tk = jieba.Tokenizer()
            tk.tmp_dir = _cache_dir()
            tk.initialize()
            for word in GOV_WORDS:
                tk.add_word(word, freq=20000)
            _tokenizer = tk
    return _tokenizer


def _clean(token: str) -> str:
    """Keep letters and digits only (lowercased): punctuation is noise for ``simple`` and, in a query,
    would be tsquery syntax."""
    return "".join(c for c in token.lower() if c.isalnum())


def segment(text: str) -> str:
    """Words of ``text`` in jieba's search mode (long words plus their dictionary sub-words), lowercased,
    punctuation dropped, joined by spaces: the input of ``to_tsvector('simple', ...)``."""
    if not text:
        return ""
    out = []
    for token in tokenizer().cut_for_search(text):
        word = _clean(token)
        if word:
            out.append(word)
    return " ".join(out)


def words(text: str) -> list[str]:
    """jieba's precise-mode words of ``text`` (punctuation kept), e.g. to find line-break points."""
    return list(tokenizer().cut(text)) if text else []


def _query_terms(word: str) -> list[str]:
    """The finest terms of one query word: a long word whose dictionary 2-grams cover it is searched as
    those 2-grams, which :func:`segment` emits for every segmentation of the word in a document."""
    tk = tokenizer()
    if len(word) <= 2:
        return [word]
    grams = [i for i in range(len(word) - 1) if tk.FREQ.get(word[i : i + 2])]
    covered = {j for i in grams for j in (i, i + 1)}
    if len(covered) == len(word):
        return [word[i : i + 2] for i in grams]
    return [word]


def tsquery(q: str) -> str | None:
    """A user's query as a safe ``to_tsquery('simple', ...)`` string: its words AND-ed, the last one as a
    prefix (``:*``), each a quoted lexeme of letters and digits only. ``None`` when nothing is searchable."""
    if not q:
        return None
    terms: list[str] = []
    for token in tokenizer().cut(q[:1000]):
        word = _clean(token)[:MAX_TERM_CHARS]
        if not word:
            continue
        for term in _query_terms(word):
            if term not in terms:
                terms.append(term)
    meaningful = [t for t in terms if t not in STOP_WORDS] or terms
    meaningful = meaningful[:MAX_TERMS]
    if not meaningful:
        return None
    # _clean left only letters and digits; quoting is a second guard (a quote would be doubled).
    quoted = ["'" + t.replace("'", "''").replace("\\", "\\\\") + "'" for t in meaningful]
    quoted[-1] += ":*"
    return " & ".join(quoted)


def like_patterns(q: str) -> list[str]:
    """``LIKE`` patterns (``%piece%``, ``%``/``_``/``\\`` escaped) for the typed pieces of ``q`` that
    :func:`tsquery` had to split into several words (安全生产 -> 安全 & 生产). AND-ed words may match
    apart; re-checking these pieces against the raw text keeps only exact substrings. A piece that is
    one word needs no recheck and gets no pattern. Punctuation separates pieces, like whitespace."""
    pieces = "".join(c if c.isalnum() else " " for c in q[:1000]).split()
    out: list[str] = []
    for piece in pieces[:MAX_TERMS]:
        terms = [t for token in tokenizer().cut(piece) if (w := _clean(token)) for t in _query_terms(w)]
        if len(terms) < 2:  # one word: the index match is already exact
            continue
        pattern = "%" + piece.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        if pattern not in out:
            out.append(pattern)
    return out
