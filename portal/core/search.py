"""One search index for every screen, built for Chinese.

Each searchable record has a search document: a set of normalised tokens.

- Text is folded to one form: NFKC (full-width ＡＢＣ１２３ to ABC123), case folded, and
  Traditional Chinese converted to Simplified with OpenCC's data (so 華益 finds 华益, and the
  variants 臺/台 meet).
- Chinese runs become single characters and overlapping bigrams, so 1- and 2-character
  queries find them; names also give their pinyin initials (華語信達 -> hyxd).
- Latin and digit words give their prefixes (search as you type); codes joined by - / . give a
  compact form too (TW-0001 -> tw0001); phone numbers give every 3 to 6 digit fragment.

A query is folded the same way and its tokens must all be present. SQLite keeps the documents
in an FTS5 table (`search_fts`, kept in step by triggers), each led by its kind's token;
PostgreSQL in a GIN index per kind over the token array and the record id. Features register what they index in their init_app; documents are written in the
same transaction as the records they describe (`before_commit`), and `flask search rebuild`
writes them all anew after a bulk load or a restore.
"""
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable

import click
import sqlalchemy as sa
from flask import current_app, has_app_context
from flask.cli import AppGroup
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.config import INSTANCE
from portal.extensions import db

MAX_PREFIX = 16        # longer Latin words are matched on their first 16 letters
# A search reads at most this many matches, the newest first (documents are numbered as records
# are indexed): a word found on half a million quotes still answers at once, newest first.
NEWEST_MATCHES = 1000
# PostgreSQL looks among a kind's newest 5,000 records first, then its newest 50,000, then all
# (_matching_postgres).
RECENT_WINDOWS = (5_000, 50_000)
DIGIT_FRAGMENTS = (3, 6)  # phone fragments indexed: every run of 3 to 6 digits
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[a-z0-9]+|[{_CJK}]+")
_CODE = re.compile(r"[a-z0-9]+(?:[-/.][a-z0-9]+)+")
_NOT_DIGIT = re.compile(r"\D")


class SearchDocument(db.Model):
    """The tokens of one record (kind, record_id). The engine's own index sits beside it."""

    __tablename__ = "search_document"
    __table_args__ = (sa.UniqueConstraint("kind", "record_id", name="uq_search_document_kind_record"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    record_id: Mapped[int]
    tokens: Mapped[str] = mapped_column(sa.Text, default="")


# --- folding and tokens ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _converter():
    import opencc
    return opencc.OpenCC("t2s")


def fold(text: str | None) -> str:
    """One comparable form: width, case and Traditional/Simplified folded."""
    if not text:
        return ""
    return _converter().convert(unicodedata.normalize("NFKC", text).casefold())


def _prefixes(word: str) -> Iterable[str]:
    return (word[:n] for n in range(1, min(len(word), MAX_PREFIX) + 1))


_CJK_FIRST, _CJK_LAST = 0x3400, 0x9FFF


@lru_cache(maxsize=1)
def _initials_table() -> bytes:
    """The first letter of each CJK character's pinyin, one byte per character from U+3400 to
    U+9FFF (a space where there is none). Made once from pypinyin's data, in a separate process,
    into the instance folder: pypinyin's tables take 55 MB in memory; this takes 27 KB."""
    instance = Path(os.environ.get("PORTAL_INSTANCE_PATH", INSTANCE))
    path = instance / "pinyin-initials.bin"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-c", _BUILD_INITIALS, str(path)], check=True)
    return path.read_bytes()


_BUILD_INITIALS = f"""
import os, sys
from pypinyin.pinyin_dict import pinyin_dict
table = bytearray(b" " * ({_CJK_LAST} - {_CJK_FIRST} + 1))
for code, readings in pinyin_dict.items():
    if {_CJK_FIRST} <= code <= {_CJK_LAST}:
        letter = readings.split(",")[0][:1].encode("ascii", "ignore").lower()
        if letter.isalpha():
            table[code - {_CJK_FIRST}] = letter[0]
temporary = sys.argv[1] + f".{{os.getpid()}}"
with open(temporary, "wb") as fh:
    fh.write(table)
os.replace(temporary, sys.argv[1])
"""


def _initials(name: str) -> str:
    table = _initials_table()
    letters = (table[ord(ch) - _CJK_FIRST] for ch in name if _CJK_FIRST <= ord(ch) <= _CJK_LAST)
    return bytes(b for b in letters if b != 32).decode("ascii")


def document_tokens(*texts: str | None, names: Iterable[str | None] = (), phones: Iterable[str | None] = ()) -> str:
    """The tokens of a record, space-separated: its texts, names (also as pinyin initials) and
    phone numbers (every 3-6 digit fragment)."""
    tokens: set[str] = set()
    for text in texts:
        if text:
            tokens |= _text_tokens(text)
    for name in names:
        if name:
            tokens |= _name_tokens(name)
    for phone in phones:
        if phone:
            tokens |= _phone_tokens(phone)
    return " ".join(sorted(tokens))


@lru_cache(maxsize=50_000)
def _text_tokens(text: str) -> frozenset[str]:
    """Cached: the same commodity, port or customer name stands on many records."""
    tokens: set[str] = set()
    folded = fold(text)
    for code in _CODE.findall(folded):
        tokens.update(_prefixes(re.sub(r"[-/.]", "", code)))
    for run in _RUNS.findall(folded):
        if run[0] in "abcdefghijklmnopqrstuvwxyz0123456789":
            tokens.update(_prefixes(run))
        else:
            tokens.update(run)
            tokens.update(run[i:i + 2] for i in range(len(run) - 1))
    return frozenset(tokens)


@lru_cache(maxsize=50_000)
def _name_tokens(name: str) -> frozenset[str]:
    tokens = set(_text_tokens(name))
    chinese = "".join(re.findall(rf"[{_CJK}]+", name))
    if chinese:
        tokens.update(_prefixes(_initials(chinese)))
    return frozenset(tokens)


def _phone_tokens(phone: str) -> frozenset[str]:
    digits = _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", phone))
    low, high = DIGIT_FRAGMENTS
    tokens = {digits[i:i + size] for size in range(low, high + 1) for i in range(len(digits) - size + 1)}
    if len(digits) > high:
        tokens.add(digits)
    return frozenset(tokens)


_PHONE_LIKE = re.compile(r"^\s*\+?[\d\s().-]*\d[\s().-]+\d[\d\s().-]*$")


def query_tokens(query: str | None) -> list[str]:
    """What a search box value must match, every token: [] when there is nothing to search."""
    wanted: list[str] = []
    typed = (query or "")[:100]
    if _PHONE_LIKE.match(typed):
        # A phone number as people type it (07-3456789, +886 7 345 6789): its digits, whatever the
        # separators, against the phone fragments of the documents.
        digits = _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", typed))
        size = min(len(digits), DIGIT_FRAGMENTS[1])
        return list(dict.fromkeys(digits[i:i + size] for i in range(len(digits) - size + 1)))
    for run in _RUNS.findall(fold(typed)):
        if run[0] in "abcdefghijklmnopqrstuvwxyz0123456789":
            if run.isdigit() and len(run) > DIGIT_FRAGMENTS[1]:
                size = DIGIT_FRAGMENTS[1]
                wanted += [run[i:i + size] for i in range(len(run) - size + 1)]
            else:
                wanted.append(run[:MAX_PREFIX])
        elif len(run) == 1:
            wanted.append(run)
        else:
            wanted += [run[i:i + 2] for i in range(len(run) - 1)]
    return list(dict.fromkeys(wanted))


# --- which records are indexed, and how ----------------------------------------------------------------


@dataclass
class Source:
    """kind: the record's kind; documents(session, ids) -> {id: tokens}; watch: model ->
    (attributes that matter or None for any, owners(session, instances) -> ids of this kind to
    index again)."""
    kind: str
    model: type
    documents: Callable[[Session, list[int]], dict[int, str]]
    watch: dict = field(default_factory=dict)
    all_ids: Callable[[], sa.Select] | None = None


def register(app, source: Source) -> None:
    app.extensions.setdefault("search_sources", {})[source.kind] = source


def _sources() -> dict[str, Source]:
    return current_app.extensions.get("search_sources", {}) if has_app_context() else {}


def matching(kind: str, query: str | None):
    """A select of the ids of kind whose documents hold every token of query; None when nothing
    was typed (the caller then does not filter). Typed symbols alone (% _ * \\) find nothing:
    they are never wildcards."""
    tokens = query_tokens(query)
    if not tokens:
        return None if not (query or "").strip() else sa.select(SearchDocument.record_id).where(sa.false())
    if db.session.get_bind().dialect.name == "postgresql":
        return _matching_postgres(kind, tokens)
    # FTS5 itself keeps the search to the kind (its token), newest documents first.
    fts = sa.table("search_fts", sa.column("rowid"))
    match = " AND ".join(f'"{token}"' for token in [kind_token(kind), *tokens])
    return (sa.select(SearchDocument.record_id).join(fts, fts.c.rowid == SearchDocument.id)
            .where(SearchDocument.kind == kind, sa.text("search_fts MATCH :fts_query").bindparams(fts_query=match))
            .order_by(fts.c.rowid.desc()).limit(NEWEST_MATCHES))


def _matching_postgres(kind: str, tokens: list[str]):
    """The newest matches on PostgreSQL. A GIN index finds matches in no order, and each one is then
    read from the table: a word on one quote in twenty is 50,000 reads at a million quotes. Each
    kind's GIN index holds the record id beside the tokens (btree_gin), so the newest records are
    searched first: the newest RECENT_WINDOWS[0] records, then (only if those hold fewer than
    NEWEST_MATCHES) the newest RECENT_WINDOWS[1], then all. A common word is answered from the
    newest few thousand records, a rare one has few matches to read wherever they are. One
    statement: PostgreSQL skips the windows it does not need. (Each window has only a lower bound:
    the GIN index reads a range from both ends when given two.)"""
    from sqlalchemy.dialects.postgresql import ARRAY   # (the PostgreSQL dialect loads only on PostgreSQL)
    document = SearchDocument
    # token_array: the tokens as text[], generated by the database and indexed with GIN per kind.
    holds = sa.literal_column("search_document.token_array").op("@>")(sa.literal(tokens, ARRAY(sa.Text)))
    newest = sa.select(sa.func.max(document.record_id)).where(document.kind == kind).scalar_subquery()
    windows = []
    for width in (*RECENT_WINDOWS, None):
        recent = [] if width is None else [document.record_id > newest - width]
        # OFFSET 0 keeps the limit out of the scan: the planner would otherwise walk the records
        # backwards testing each one, as if matches were spread evenly, when they may all be old.
        hits = sa.select(document.record_id).where(document.kind == kind, holds, *recent).offset(0) \
            .subquery(f"window{len(windows)}_hits")
        window = sa.select(hits.c.record_id).order_by(hits.c.record_id.desc()).limit(NEWEST_MATCHES)
        # Each window holds the ones before it: it is read only when every one of them fell short
        # (one that was skipped holds nothing).
        window = window.where(*(sa.select(sa.func.count()).select_from(before).scalar_subquery() < NEWEST_MATCHES
                                for before in windows))
        windows.append(window.cte(f"window{len(windows)}"))
    return sa.union_all(*(sa.select(w.c.record_id) for w in windows))


# --- keeping documents current in the record's transaction ----------------------------------------


def _pending(session: Session) -> dict[str, set[int]]:
    return session.info.setdefault("search_pending", {})


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context) -> None:
    sources = _sources()
    if not sources:
        return
    pending = _pending(session)
    changed = [(obj, False) for obj in session.new] + [(obj, False) for obj in session.dirty] + \
        [(obj, True) for obj in session.deleted]
    for source in sources.values():
        for model, (attributes, owners) in source.watch.items():
            hits = [obj for obj, deleted in changed if isinstance(obj, model)
                    and (deleted or attributes is None or _changed(obj, attributes))]
            if hits:
                pending.setdefault(source.kind, set()).update(owners(session, hits))
        for obj, deleted in changed:
            if isinstance(obj, source.model) and obj.id is not None:
                pending.setdefault(source.kind, set()).add(obj.id)


def _changed(obj, attributes) -> bool:
    state = sa.inspect(obj)
    if state.pending or not state.persistent:
        return True
    return any(state.attrs[name].history.has_changes() for name in attributes)


@event.listens_for(Session, "before_commit")
def _write(session: Session) -> None:
    pending = session.info.get("search_pending")
    if not pending:
        return
    session.flush()
    pending = session.info.pop("search_pending", {})
    for kind, ids in pending.items():
        source = _sources().get(kind)
        if source is not None and ids:
            write_documents(session, source, sorted(ids))


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("search_pending", None)


def write_documents(session: Session, source: Source, ids: list[int], batch: int = 500) -> None:
    """Write (or remove, for records that are gone) the documents of ids."""
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        with session.no_autoflush:
            documents = source.documents(session, chunk)
        gone = [i for i in chunk if i not in documents]
        if gone:
            connection.execute(sa.delete(SearchDocument).where(SearchDocument.kind == source.kind,
                                                               SearchDocument.record_id.in_(gone)))
        if documents:
            _upsert(connection, postgres, source.kind, documents)


def kind_token(kind: str) -> str:
    """SQLite: the token every document of a kind also holds, so that FTS5 itself keeps a search to
    its kind (it would otherwise walk the matches of every kind, newest first, to find a customer's).
    PostgreSQL has a GIN index per kind instead. One unicode61 token: letters and digits only."""
    return "0kind" + kind.replace("_", "")


def stored_tokens(dialect_name: str, kind: str, tokens: str) -> str:
    """What a document stores: its tokens, led on SQLite by its kind's token."""
    return tokens if dialect_name == "postgresql" else f"{kind_token(kind)} {tokens}".rstrip()


def _upsert(connection, postgres: bool, kind: str, documents: dict[int, str]) -> None:
    if postgres:
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    dialect = connection.dialect.name
    rows = [{"kind": kind, "record_id": record_id, "tokens": stored_tokens(dialect, kind, tokens)}
            for record_id, tokens in documents.items()]
    insert = insert(SearchDocument).values(rows)
    connection.execute(insert.on_conflict_do_update(index_elements=["kind", "record_id"],
                                                    set_={"tokens": insert.excluded.tokens}))


def rebuild(kinds: Iterable[str] | None = None, batch: int = 2000, progress=None, session: Session | None = None,
            commit: bool = True) -> dict[str, int]:
    """Write every document anew (after a bulk load, a restore or a migration that changed what
    documents hold); returns counts per kind. commit=False leaves the transaction to the caller
    (a migration runs it in its own)."""
    session = session or db.session
    counts = {}
    for kind, source in _sources().items():
        if kinds and kind not in kinds:
            continue
        session.execute(sa.delete(SearchDocument).where(SearchDocument.kind == kind))
        last, total = 0, 0
        while True:
            ids = session.scalars(sa.select(source.model.id).where(source.model.id > last)
                                  .order_by(source.model.id).limit(batch)).all()
            if not ids:
                break
            write_documents(session, source, ids, batch)
            if commit:
                session.commit()
            last, total = ids[-1], total + len(ids)
            if progress:
                progress(kind, total)
        counts[kind] = total
    if commit:
        session.commit()
    return counts


def index_missing(session: Session) -> bool:
    """No document at all while some source has records: the index was never built."""
    if session.scalar(sa.select(SearchDocument.id).limit(1)) is not None:
        return False
    return any(session.scalar(sa.select(source.model.id).limit(1)) is not None for source in _sources().values())


def rebuild_after_migration(migration_context) -> None:
    """A migration that changes what documents hold asks for the index to be rebuilt (by
    calling this); it is rebuilt once the upgrade reaches the head revision, by today's code
    against today's tables (migrations/env.py). An upgrade that stops short leaves it to
    `flask search rebuild`."""
    migration_context.config.attributes["rebuild_search"] = True


search_cli = AppGroup("search", help="The search index.")


@search_cli.command("rebuild", help="Rebuild the search index from the records (after a bulk load or a restore).")
@click.option("--kind", "kinds", multiple=True, help="Only these kinds (customer, quote, handover_note, ...).")
def rebuild_command(kinds):
    counts = rebuild(kinds or None, progress=lambda kind, n: click.echo(f"  {kind}: {n}", err=True) if n % 50000 == 0
                     else None)
    for kind, n in counts.items():
        click.echo(f"{kind}: {n} records indexed")


def init_app(app) -> None:
    app.cli.add_command(search_cli)
