# Type stubs of the syndic package (see __init__.py for the full docs).
from array import array
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple, Union

__version__: str

Text = Union[str, bytes, None]
Document = Union[str, bytes, None, Tuple[Any, Text], Dict[str, Any], "Record"]
Size = Union[int, str, None]

class Error(Exception):
    code: int
    reason: str

class InputError(Error, ValueError): ...
class OutOfMemoryError(Error, MemoryError): ...
class FileError(Error, OSError): ...
class Canceled(Error): ...

class DedupRecord:
    index: int
    id: Any
    cluster: int
    duplicate_of: int
    similarity: float
    exact: bool
    absent: bool
    @property
    def keep(self) -> bool: ...

class DedupResult:
    cluster: array
    duplicate_of: array
    similarity: array
    exact: List[bool]
    absent: List[bool]
    ids: List[Any]
    stats: Dict[str, int]
    def __len__(self) -> int: ...
    def __getitem__(self, i: int) -> DedupRecord: ...
    def __iter__(self) -> Iterator[DedupRecord]: ...
    def keep_mask(self) -> List[bool]: ...
    def to_frame(self) -> Any: ...

class Deduper:
    def __init__(self, threshold: float = ..., ngram: int = ..., num_perm: int = ...,
                 bands: int = ..., rows: int = ..., threads: Optional[int] = ...,
                 seed: int = ..., memory: Size = ..., tmpdir: Optional[str] = ...) -> None: ...
    def add(self, text: Text, id: Any = ...) -> int: ...
    def add_many(self, docs: Iterable[Document]) -> None: ...
    def finish(self) -> DedupResult: ...
    def results(self) -> Iterator[DedupRecord]: ...
    def __enter__(self) -> "Deduper": ...
    def __exit__(self, *exc: Any) -> bool: ...

def dedup(texts: Iterable[Document], threshold: float = ..., ngram: int = ...,
          threads: Optional[int] = ..., num_perm: int = ..., bands: int = ..., rows: int = ...,
          seed: int = ..., memory: Size = ..., tmpdir: Optional[str] = ...,
          as_frame: bool = ...) -> Any: ...

class Side:
    doc: int
    id: Any
    start: int
    end: int
    tokens: int

class Passage:
    a: Side
    b: Side
    columns: int
    equal: int
    identity: float
    story: int
    changes: List[Tuple[int, int, int, int]]
    def json(self) -> str: ...

class Copy:
    doc: int
    id: Any
    role: str
    origin: bool
    share: float
    identity: float
    spans: List[Tuple[int, int]]
    added: List[Tuple[int, int]]
    lacks: List[Tuple[int, int]]
    changed: List[Tuple[int, int]]
    @property
    def text(self) -> str: ...

class Story:
    id: int
    origin: int
    origin_by: str
    consensus: List[Tuple[int, int]]
    consensus_tokens: int
    passages: int
    copies: List[Copy]
    @property
    def consensus_text(self) -> str: ...
    @property
    def members(self) -> int: ...
    def json(self, text: bool = ...) -> str: ...

class Doc:
    index: int
    id: Any
    url: Optional[str]
    date: Optional[str]
    stories: List[int]
    error: Optional[str]
    skipped: Optional[str]
    file: Optional[str]
    line: int
    offset: int
    def json(self, text: Optional[str] = ...) -> str: ...

class TraceResult:
    docs: List[Doc]
    stories: List[Story]
    passages: List[Passage]
    stats: Dict[str, int]
    def text(self, doc: int, start: int = ..., end: Optional[int] = ...) -> Optional[str]: ...
    def lines(self, text: bool = ..., passages: bool = ...,
              doc_text: Union[bool, str] = ...) -> Iterator[str]: ...
    def html(self, path: str) -> None: ...

def trace(docs: Iterable[Document], min_passage: int = ..., max_df: int = ...,
          max_gap: int = ..., min_identity: float = ..., exact: bool = ...,
          all_text: bool = ..., threads: Optional[int] = ..., seed: int = ...,
          memory: Size = ..., tmpdir: Optional[str] = ...) -> TraceResult: ...

def align(a: Union[str, bytes], b: Union[str, bytes], min_passage: int = ...,
          max_gap: int = ..., min_identity: float = ..., exact: bool = ...,
          all_text: bool = ...) -> List[Passage]: ...

class Paragraph:
    text: str
    kind: str
    level: int
    start: int
    end: int

class Article:
    text: str
    title: str
    date: str
    lang: str
    paragraphs: List[Paragraph]
    found: bool
    reason: Optional[str]
    method: Optional[str]
    charset: Optional[str]
    author: str
    date_modified: str
    site_name: str
    page_lang: str
    canonical_url: str
    description: str
    comments: List[Paragraph]
    links: List[Tuple[str, str, int, int]]
    repaired: int

def extract(html: Union[str, bytes], url: Optional[str] = ..., charset: Optional[str] = ...,
            whole_page: bool = ..., comments: bool = ..., links: bool = ...,
            captions: bool = ..., no_tables: bool = ..., min_words: int = ...,
            max_html: Optional[int] = ...) -> Article: ...

class Record:
    index: int
    id: Optional[str]
    text: Optional[str]
    html: Optional[str]
    url: Optional[str]
    date: Optional[str]
    source: Optional[str]
    line: int
    offset: int
    format: str
    code: int
    error: Optional[str]
    skipped: Optional[str]
    charset: Optional[str]
    repaired: int
    @property
    def ok(self) -> bool: ...
    def __getitem__(self, key: str) -> Any: ...

def read(*paths: Union[str, List[str]], id_field: str = ..., text_field: str = ...,
         html_field: str = ..., format: str = ..., repair_utf8: bool = ...,
         max_record: Optional[int] = ..., whole_page: bool = ...,
         threads: Optional[int] = ...) -> Iterator[Record]: ...
