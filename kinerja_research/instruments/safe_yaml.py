"""Read a user's YAML file (dataset.yml, a codebook) in bounded time and memory, in whatever encoding it was saved.

Limits: the file's size (:data:`MAX_BYTES`), the number of nodes after expanding aliases (:data:`MAX_NODES`: a "billion
laughs" alias bomb is refused before anything is built), the nesting depth (:data:`MAX_DEPTH`) and recursive aliases.
Encodings: UTF-8 (with or without BOM), UTF-16 and UTF-32 (with a BOM, or without one when the NUL bytes say so:
Notepad's "Unicode"), else Windows-1252 when the bytes fit it; anything else (binary) is refused. Every refusal is one
sentence naming the file and the rule (raised as the caller's error class).
"""

from __future__ import annotations

import codecs
import stat
from pathlib import Path

import yaml

from kinerja_research.errors import KinerjaError, where

__all__ = ["read_yaml", "decode_text", "sniff_encoding", "MAX_BYTES", "MAX_NODES", "MAX_DEPTH", "SafeLoader"]

MAX_BYTES = 4 << 20
MAX_NODES = 1_000_000
MAX_DEPTH = 64


class _NoDuplicates:
    """Mapping construction that refuses duplicate keys (YAML keeps the last one silently)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *defaults`: merged keys may be overridden
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                dup = key in seen
                seen.add(key)
            except TypeError:
                continue
            if dup:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        return super().construct_mapping(node, deep)


class SafeLoader(_NoDuplicates, yaml.SafeLoader):
    """Safe YAML without implicit dates (checked by the callers with a clear message instead of a traceback from inside
    the parser) and with duplicate keys refused."""


_NO_DATES = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
SafeLoader.yaml_implicit_resolvers = _NO_DATES
if getattr(yaml, "__with_libyaml__", False):  # the same rules on libyaml's parser (about 10x faster)

    class _FastLoader(_NoDuplicates, yaml.CSafeLoader):
        pass

    _FastLoader.yaml_implicit_resolvers = _NO_DATES
else:  # pragma: no cover - PyYAML built without libyaml
    _FastLoader = SafeLoader


def sniff_encoding(head: bytes) -> str | None:
    """The encoding a file's first bytes prove: a byte-order mark (UTF-32 before UTF-16, whose mark is a prefix of
    UTF-32 LE's) or the NUL pattern of UTF-16 / UTF-32 without a mark (Notepad's "Unicode" is UTF-16 LE).

    Returns ``None`` when the bytes prove nothing (no mark and no NUL byte: UTF-8 or a one-byte code page),
    ``"binary"`` when they hold NUL bytes in no text pattern.

    Examples
    --------
    >>> sniff_encoding("a,b".encode("utf-16")), sniff_encoding("a,b".encode("utf-16-le")), sniff_encoding(b"a,b")
    ('utf-16', 'utf-16-le', None)
    """
    boms = (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    )
    enc = next((e for bom, e in boms if head.startswith(bom)), None)
    if enc is not None or b"\x00" not in head:
        return enc
    h = head[:4096]
    n = len(h) - len(h) % 4
    if n >= 4 and all(h[i + 1 : i + 4] == b"\x00\x00\x00" for i in range(0, n, 4)):
        return "utf-32-le"
    if n >= 4 and all(h[i : i + 3] == b"\x00\x00\x00" for i in range(0, n, 4)):
        return "utf-32-be"
    half = len(h) // 2
    if half and h[1::2].count(0) >= 0.9 * half and h[0::2].count(0) == 0:
        return "utf-16-le"
    if half and h[0::2].count(0) >= 0.9 * half and h[1::2].count(0) == 0:
        return "utf-16-be"
    return "binary"


def decode_text(data: bytes, path: Path, *, error: type[KinerjaError] = KinerjaError) -> tuple[str, str]:
    """Decode a text file's bytes, deciding the encoding from evidence: ``(text, encoding)``.

    :func:`sniff_encoding` first, then UTF-8, then Windows-1252 (which has five undefined bytes: a file with one of
    them is refused, like a binary file).
    """
    enc = sniff_encoding(data)
    if enc == "binary":
        raise error(
            f"{where(path)}: the file holds NUL bytes in no text encoding (it is binary); rule: a YAML file is text "
            f"(UTF-8, UTF-16 or Windows-1252)"
        )
    candidates = [enc] if enc else ["utf-8", "cp1252"]
    for e in candidates:
        try:
            text = data.decode(e)
        except UnicodeDecodeError as exc:
            if e == candidates[-1]:
                line = data[: exc.start].count(b"\n") + 1
                raise error(
                    f"{where(path, row=line)}: the bytes are not valid {e} ({exc.reason}); rule: save the file as "
                    f"UTF-8 (any editor's 'UTF-8' option)"
                ) from None
            continue
        return text.lstrip("\ufeff"), e
    raise AssertionError("unreachable")  # pragma: no cover


def _check_nodes(node: yaml.Node, path: Path, error: type[KinerjaError]) -> None:
    """Count the nodes the document would have once aliases are expanded; refuse bombs, cycles and deep nesting."""
    size: dict[int, int] = {}
    # iterative post-order walk over the composed graph (aliases share node objects, so each node is sized once)
    stack: list[tuple[yaml.Node, int, bool]] = [(node, 1, False)]
    on_path: set[int] = set()
    while stack:
        n, depth, done = stack.pop()
        key = id(n)
        if done:
            on_path.discard(key)
            children = _children(n)
            size[key] = 1 + sum(size[id(c)] for c in children)
            if size[key] > MAX_NODES:
                raise error(
                    f"{where(path, row=n.start_mark.line + 1)}: the document expands to more than {MAX_NODES:,} "
                    f"values through aliases (an alias bomb); rule: YAML aliases (*name) may repeat a part, not "
                    f"multiply it"
                )
            continue
        if key in size:
            continue
        if key in on_path:
            raise error(
                f"{where(path, row=n.start_mark.line + 1)}: an alias refers to the part that contains it (a recursive "
                f"structure); rule: YAML aliases may not refer to themselves"
            )
        if depth > MAX_DEPTH:
            raise error(
                f"{where(path, row=n.start_mark.line + 1)}: the document is nested deeper than {MAX_DEPTH} levels; "
                f"rule: dataset files and codebooks are a few levels deep"
            )
        on_path.add(key)
        stack.append((n, depth, True))
        for c in _children(n):
            if id(c) not in size:
                stack.append((c, depth + 1, False))


def _children(n: yaml.Node) -> list[yaml.Node]:
    if isinstance(n, yaml.SequenceNode):
        return list(n.value)
    if isinstance(n, yaml.MappingNode):
        return [x for kv in n.value for x in kv]
    return []


def read_yaml(
    path: str | Path, *, error: type[KinerjaError] = KinerjaError, max_bytes: int = MAX_BYTES, what: str = "YAML file"
) -> tuple[object, str]:
    """Read and parse a user's YAML file within the limits: ``(document, encoding)``.

    Raises
    ------
    KinerjaError (``error``)
        The path is not a regular file (a folder, FIFO or device), is larger than ``max_bytes``, is binary or not in
        a text encoding, is not valid YAML, holds duplicate keys, an alias bomb, a recursive alias or nesting deeper
        than :data:`MAX_DEPTH`.
    """
    path = Path(path)
    try:
        st = path.stat()
    except OSError as exc:
        raise error(
            f"{where(path)}: the {what} cannot be read ({exc.strerror}); rule: the file exists and is readable"
        ) from None
    if stat.S_ISDIR(st.st_mode):
        raise error(f"{where(path)}: this is a folder, not a file; rule: the {what} is a text file")
    if not stat.S_ISREG(st.st_mode):
        raise error(
            f"{where(path)}: this is not a regular file (a pipe or device); rule: the {what} is a text file on disk"
        )
    if st.st_size > max_bytes:
        raise error(
            f"{where(path)}: the {what} has {st.st_size:,} bytes; rule: at most {max_bytes:,} bytes (use globs such "
            f"as 'skp_*.xlsx' instead of one entry per file)"
        )
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise error(f"{where(path)}: the {what} cannot be read ({exc.strerror}); rule: the file is readable") from None
    text, enc = decode_text(data, path, error=error)
    loader = _FastLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, enc
        _check_nodes(node, path, error)
        doc = loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(
            f"{where(path, row=mark.line + 1 if mark else None)}: the file is not valid YAML ({problem}); rule: the "
            f"{what} is YAML"
        ) from None
    except RecursionError:
        raise error(
            f"{where(path)}: the document is nested too deeply to read; rule: dataset files and codebooks are a few "
            f"levels deep"
        ) from None
    finally:
        loader.dispose()
    return doc, enc
