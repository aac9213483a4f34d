"""jieba segmentation for tsvector('simple') and safe tsquery strings, checked against real PostgreSQL."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from core.db.engine import Database
from plugins.documents.search import like_patterns, segment, tsquery
from plugins.documents.search.segment import tokenizer

ROOT = Path(__file__).resolve().parents[2]
SAFE = re.compile(r"^'[^'\\\s]+'( & '[^'\\\s]+')*:\*$")

HOSTILE = [
    "'",
    "''",
    "a'b",
    "it's",
    "&",
    "|",
    "!",
    "!!!",
    ":*",
    "防汛:*",
    "a:*b",
    "\\",
    "\\'",
    "'\\' | '",
    "(",
    "())",
    "<->",
    "<2>",
    "防汛 <-> 抗旱",
    "a & b | !c",
    "' | '' & !",
    "防汛' & '1",
    "安全生产')) OR 1=1 --",
    "\x00防汛",
    "' & !'\\\\'",
    "&&&||| !!! :*:*",
    "防" * 5000,
    "乡村振兴 " * 100,
]


def test_segment_splits_government_phrases_in_search_mode() -> None:
    tokens = segment("关于做好2026年防汛抗旱工作的通知。").split()
    for word in ("关于", "2026", "防汛", "抗旱", "防汛抗旱", "工作", "通知"):
        assert word in tokens
    assert "。" not in tokens
    assert set(segment("乡村振兴工作方案").split()) >= {"乡村", "振兴", "乡村振兴", "工作", "方案"}
    assert segment("安全生产“大排查、大整治”！").split() == [
        "安全",
        "生产",
        "安全生产",
        "排查",
        "大排查",
        "大",
        "整治",
    ]


def test_segment_lowercases_and_drops_punctuation() -> None:
    assert segment("GB/T 9704—2012《党政机关公文格式》") == "gb t 9704 2012 党政 机关 党政机关 公文 格式"
    assert segment("") == ""
    assert segment("，。！？、；：“”（）") == ""


def test_tsquery_builds_an_and_of_terms_with_a_prefix_on_the_last() -> None:
    assert tsquery("防汛") == "'防汛':*"
    assert tsquery("安全生产") == "'安全' & '生产':*"
    assert tsquery("乡村振兴 工作方案") == "'乡村' & '振兴' & '工作' & '方案':*"
    assert tsquery("关于防汛的通知") == "'关于' & '防汛' & '通知':*"  # 的 dropped
    for nothing in ("", "   ", "!!!", "&|!:*()", "'\\'", "“”《》"):
        assert tsquery(nothing) is None


@pytest.mark.parametrize("hostile", HOSTILE)
async def test_hostile_queries_are_valid_tsquery_in_postgres(db: Database, hostile: str) -> None:
    q = tsquery(hostile)
    if q is None:
        return
    assert SAFE.match(q), q
    async with db.transaction() as session:
        parsed = (await session.execute(text("SELECT to_tsquery('simple', :q)::text"), {"q": q})).scalar_one()
    assert parsed  # PostgreSQL accepted it and found lexemes
    for op in ("|", "!", "<->"):
        assert op not in parsed


async def test_search_finds_the_expected_rows(db: Database) -> None:
    docs = {
        1: "关于做好2026年防汛抗旱工作的通知",
        2: "甘州区安全生产大排查大整治工作方案",
        3: "关于印发乡村振兴重点工作任务分工的通知",
        4: "关于召开全区乡村振兴工作推进会议的通知",
        5: "区人民政府关于进一步优化营商环境的意见",
        6: "关于开展森林防火专项检查的通报",
        7: "甘州区乡村振兴工作方案",
        8: "乡村振兴重点工作和实施方案",
    }
    expected = {
        "防汛": {1},
        "安全生产": {2},
        "乡村振兴": {3, 4, 7, 8},
        "乡村振兴 会议": {4},
        "营商环境": {5},
        "通知": {1, 3, 4},
        "森林防": {6},  # prefix on the last term
        "防汛' | '": {1},
    }
    async with db.transaction() as session:
        await session.execute(
            text(
                "CREATE TEMP TABLE search_probe (id int PRIMARY KEY, content text, words tsvector)"
                " ON COMMIT DROP"
            )
        )
        for key, title in docs.items():
            await session.execute(
                text("INSERT INTO search_probe VALUES (:id, :c, to_tsvector('simple', :w))"),
                {"id": key, "c": title, "w": segment(title)},
            )
        await session.execute(text("CREATE INDEX ON search_probe USING gin (words)"))
        for query, ids in expected.items():
            rows = await session.execute(
                text("SELECT id FROM search_probe WHERE words @@ to_tsquery('simple', :q) ORDER BY id"),
                {"q": tsquery(query)},
            )
            assert set(rows.scalars()) == ids, query
        # Words AND-ed match 工作 and 方案 apart; the LIKE recheck keeps exact substrings only.
        q = "乡村振兴 工作方案"
        loose = await session.execute(
            text("SELECT id FROM search_probe WHERE words @@ to_tsquery('simple', :q)"), {"q": tsquery(q)}
        )
        assert set(loose.scalars()) == {7, 8}
        patterns = like_patterns(q)
        where = " AND ".join(f"content LIKE :p{i}" for i in range(len(patterns)))
        exact = await session.execute(
            text(f"SELECT id FROM search_probe WHERE words @@ to_tsquery('simple', :q) AND {where}"),
            {"q": tsquery(q), **{f"p{i}": p for i, p in enumerate(patterns)}},
        )
        assert set(exact.scalars()) == {7}


def test_like_patterns_are_escaped_plain_substrings() -> None:
    assert like_patterns("乡村振兴 工作方案") == ["%乡村振兴%", "%工作方案%"]
    assert like_patterns("防汛 河长制") == []  # one word each: the index match is exact already
    assert like_patterns("安全生产100%_通知'") == ["%安全生产100%"]
    assert like_patterns("%_\\'!") == []


def test_tokenizer_is_built_once_across_threads() -> None:
    seen: list[object] = []
    threads = [threading.Thread(target=lambda: seen.append(tokenizer())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(s) for s in seen}) == 1


def test_first_use_prints_nothing_and_caches_privately(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    code = "from plugins.documents.search import segment; print(segment('防汛抗旱'))"
    for _ in range(2):  # cold (builds the cache) and warm (loads it)
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == "防汛 抗旱 防汛抗旱"
        assert out.stderr == ""
    (cache_dir,) = tmp_path.glob("fuban-jieba-*")
    assert (cache_dir / "jieba.cache").is_file()
    assert cache_dir.stat().st_mode & 0o077 == 0
