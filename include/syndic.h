/*
 * syndic.h: the public face of libsyndic, an engine that finds the same text
 * wherever it was printed.
 *
 * Ownership: every object is created by a `_new` function and released by its
 * `_free` (which accepts NULL); strings and arrays handed out by an object
 * belong to it and stay valid until the call named in their comment, or until
 * the object is freed. Caller-owned structs use `_init` / `_release`.
 *
 * Threads: an object is never shared between threads unless its comment says
 * so; distinct objects may be used from distinct threads at the same time.
 * Work that the library spreads over threads (sketching, verification) gives
 * the same result whatever the thread count.
 *
 * Errors: every function that can fail returns 0 (or, where its comment
 * says so, a count) on success and a negative SD_E* code on failure;
 * sd_strerror() names the code. The reason in words is never lost: an
 * object keeps the message of its last failure (sd_dedup_errmsg() and the
 * like), and a constructor that fails, having no object to keep it on,
 * writes it into the caller's error buffer (as curl's CURLOPT_ERRORBUFFER).
 * The library never prints, never exits and never aborts on bad input.
 *
 * States: a job (sd_reader, sd_dedup, sd_trace) is in one state at a time,
 * and every call checks it: new (created, nothing added yet), adding,
 * finished (results ready), failed. A call out of order returns SD_EINVAL
 * and changes nothing. A call that fails for a bad argument changes
 * nothing either; any other failure leaves the job failed, and every later
 * call but _errmsg(), _get_stats() and _free() returns that failure's code.
 *
 * Options: each options struct starts with `size`, which its _init() sets
 * to the struct's size in the caller's build. A later version of the
 * library only adds fields at the end of a struct and gives a caller built
 * against an older, shorter one the defaults of the fields it does not
 * know; a struct not set up by its _init() (size 0) or from a newer
 * library fails with SD_EINVAL. Always call the _init() and then set the
 * fields you want. (A size field rather than setters by name, as zstd's
 * ZSTD_CCtx_setParameter, keeps options typed and checked by the compiler:
 * they are doubles, counts, sizes, strings and pointers.)
 */
#ifndef SYNDIC_H
#define SYNDIC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks what the library exports: it is built with every other symbol
 * hidden (-fvisibility=hidden), so a program linking the shared library
 * sees these and nothing else. */
#if defined(__GNUC__) && __GNUC__ >= 4
#define SD_API __attribute__((visibility("default")))
#else
#define SD_API
#endif

#define SD_VERSION_MAJOR 0
#define SD_VERSION_MINOR 2
#define SD_VERSION_PATCH 0
#define SD_VERSION_STRING "0.2.0"
/* One number that orders versions: MAJOR * 10000 + MINOR * 100 + PATCH. */
#define SD_VERSION_NUMBER (SD_VERSION_MAJOR * 10000 + SD_VERSION_MINOR * 100 + SD_VERSION_PATCH)

/* The version of the library the program runs with, which may be newer than
 * the header it was built with: the string ("0.2.0") and SD_VERSION_NUMBER. */
SD_API const char *sd_version(void);
SD_API unsigned sd_version_number(void);

/* ---- errors ---------------------------------------------------------------- */

enum {
    SD_OK = 0,
    SD_ENOMEM = -1,   /* an allocation failed */
    SD_EINVAL = -2,   /* an argument is out of range, or a call out of order */
    SD_EIO = -3,      /* a read or write failed (errno kept in the message) */
    SD_EFORMAT = -4,  /* input is malformed: bad JSON, bad WARC header, ... */
    SD_ETOOBIG = -5,  /* a record or buffer exceeds its configured maximum */
    SD_ETRUNC = -6,   /* input ends early: truncated gzip/zstd stream, short record */
    SD_EUTF8 = -7,    /* text is not valid UTF-8 */
    SD_EMISSING = -8, /* a required field is absent */
    SD_ECANCELED = -9 /* the caller asked to stop */
};

/* Returns a short lowercase description of an SD_E* code; never NULL. */
SD_API const char *sd_strerror(int code);

/* The size of the error buffer a constructor fills with the reason it
 * failed: one NUL-terminated sentence. It never shrinks. */
#define SD_ERRBUF_SIZE 256

/*
 * Parses a size in bytes as the program's --memory takes it: digits with an
 * optional unit K, M, G or T (powers of 1024, either case), an optional
 * "i" after the unit and an optional trailing "B": "512M", "4G", "4GiB",
 * "1048576". Returns 0 with *bytes set, or SD_EINVAL for anything else
 * (a sign, a fraction, an unknown unit, an overflow).
 */
SD_API int sd_parse_size(const char *s, uint64_t *bytes);

/* ---- memory ---------------------------------------------------------------- */

/*
 * The allocator every part of the library uses. This is the library's one
 * process-wide setting (as curl_global_init_mem): call sd_set_allocator()
 * before creating any object, or not at all. Passing NULL restores malloc.
 * Tests use it to count allocations and to fail the Nth one.
 */
typedef struct sd_allocator {
    void *(*malloc_fn)(void *ud, size_t n);
    void *(*realloc_fn)(void *ud, void *p, size_t n);
    void (*free_fn)(void *ud, void *p);
    void *ud;
} sd_allocator;

SD_API void sd_set_allocator(const sd_allocator *a);

/* ---- input ----------------------------------------------------------------- */

/*
 * A reader turns inputs (files, directories, "-" for standard input) into
 * records, numbered densely in input order. The format is told from the
 * first bytes after decompression ("WARC/1." WARC, '{' JSON Lines, '[' a
 * JSON array, '<' HTML), else from the name (`.csv`, `.tsv` and `.json` among
 * them; see docs/input.md), unless sd_reader_options.format forces one.
 * JSONL, JSON, CSV and TSV give one record per object or row; WARC one per
 * response record; HTML and text one per file. Files that are not text (an
 * image, an archive, a program) are refused with an error record saying
 * what they look like. Directories are walked recursively in byte order of
 * names, so the order is reproducible; a FIFO, socket or device found in a
 * walk is refused, not opened.
 *
 * Every input yields at least one record: a file that cannot be read, a bad
 * line, a truncated stream produce records whose `error` is set, and reading
 * goes on with the next record or file wherever that is safe.
 */
typedef enum sd_format {
    SD_FORMAT_AUTO = 0,
    SD_FORMAT_TEXT,  /* one document per file */
    SD_FORMAT_JSONL, /* one record per line */
    SD_FORMAT_HTML,  /* one page per file */
    SD_FORMAT_WARC,  /* one page per response record */
    SD_FORMAT_JSON,  /* a JSON array of objects, or objects one after another */
    SD_FORMAT_CSV,   /* comma-separated values, a header row naming the columns */
    SD_FORMAT_TSV    /* tab-separated values, a header row naming the columns */
} sd_format;

/*
 * A share of the input: when one job runs over several processes (an MPI
 * run, or any other transport; see sd_comm below), each process reads a
 * share of the records. A share is dealt one of two ways:
 *
 * - records (files 0): blocks of `block` records, round robin: record g
 *   (its index in the whole input) belongs to process (g / block) % count.
 *   Every process scans every input but parses only its records; the
 *   indexes are known as records are read.
 * - files (files 1): whole input files, round robin: file f (in input
 *   order, directories expanded) belongs to process f % count, which alone
 *   opens it. How many records each file holds is known only once every
 *   process has read its files: sd_share_files() then makes the table that
 *   maps records, before any job finishes.
 *
 * A process's own records, in input order, are its local records 0, 1, 2...
 */
typedef struct sd_share {
    unsigned index; /* this process, from 0 */
    unsigned count; /* processes; 0 or 1: one process reads everything */
    uint32_t block; /* records per block; 0 = 4096 */
    int files;      /* 1: whole files are dealt (see above) */
    /* files: where each file's records fall, made by sd_share_files() and
     * freed by sd_share_release(); NULL before */
    struct sd_share_map *map;
} sd_share;

/* The process a record belongs to, a record's local index in its process,
 * and a local record of this process's (s->index) index in the whole input. */
SD_API unsigned sd_share_owner(const sd_share *s, uint64_t record);
SD_API uint64_t sd_share_local(const sd_share *s, uint64_t record);
SD_API uint64_t sd_share_record(const sd_share *s, uint64_t local);
/* With records dealt (files 0): how many of `records` records, the whole
 * input, belong to this process. */
SD_API uint64_t sd_share_count(const sd_share *s, uint64_t records);
/* The end of the run of records from `record` on that one process holds
 * in a row (the rest of a block or of a file), at most `records` (the
 * total). */
SD_API uint64_t sd_share_run_end(const sd_share *s, uint64_t record, uint64_t records);

typedef struct sd_reader_options {
    size_t size;            /* set by sd_reader_options_init() (see Options above) */
    const char *id_field;   /* JSON field or CSV column holding the id; default "id" */
    const char *text_field; /* JSON field or CSV column holding the text; default "text" */
    const char *html_field; /* JSON field or CSV column holding HTML; default "html" */
    size_t max_record;      /* largest record in bytes; default 64 MiB */
    sd_format format;       /* force a format for files; default AUTO */
    int repair_utf8;        /* JSONL: repair invalid UTF-8 (U+FFFD) instead of
                               failing the record; default 0 */
    sd_share share;         /* with share.count > 1, only this process's
                               records come out (their indexes those of the
                               whole input); the others are counted, not
                               parsed. Default: every record */
} sd_reader_options;

SD_API void sd_reader_options_init(sd_reader_options *o);

typedef struct sd_record {
    uint64_t index; /* dense, input order, from 0 */
    const char *id; /* record id: JSONL id field, WARC record id, or path */
    size_t id_len;
    const char *text; /* document text, valid UTF-8 (NULL for HTML pages
                         until extracted, and for failed records) */
    size_t text_len;
    const char *html; /* page markup for HTML/WARC/JSONL-html records */
    size_t html_len;
    const char *raw; /* the record's original bytes (a JSONL line without
                        its newline, a whole file, a whole WARC record:
                        header and block, without the blank line after) */
    size_t raw_len;
    const char *url; /* WARC-Target-URI or JSONL "url"; NULL if unknown */
    size_t url_len;
    const char *date; /* WARC-Date or JSONL "date"; NULL if unknown */
    size_t date_len;
    const char *charset; /* charset declared by HTTP header or meta; may be NULL */
    const char *source;  /* path of the input, "-" for standard input */
    uint64_t line;       /* 1-based line in the decompressed input; 0 if none */
    uint64_t offset;     /* byte offset of the record in the decompressed input */
    sd_format format;    /* what the record came from */
    int error;           /* 0, or the SD_E* code why this record failed */
    const char *errmsg;  /* with error: the reason, e.g. "invalid JSON: ..." */
    size_t repaired;     /* invalid UTF-8 sequences replaced by U+FFFD */
} sd_record;

typedef struct sd_reader sd_reader;

/* Creates a reader. `o` may be NULL for defaults; errbuf, when not NULL,
 * gets the reason a failure gives (SD_ERRBUF_SIZE bytes). Returns 0,
 * SD_EINVAL (options), SD_ENOMEM; on failure *out is NULL. */
SD_API int sd_reader_new(const sd_reader_options *o, sd_reader **out, char *errbuf);

/* Queues an input: a file, a directory, or "-" for standard input, before
 * the first sd_reader_next(); nothing is opened until then. Returns 0,
 * SD_EINVAL (path NULL, or called once reading began), SD_ENOMEM. */
SD_API int sd_reader_add(sd_reader *r, const char *path);

/*
 * Reads the next record into *rec. Returns 1 when a record was produced
 * (possibly one with rec->error set), 0 at the end of all inputs (and at
 * every later call), or a negative code for a failure that stops the
 * reader (SD_ENOMEM; every later call returns it). Pointers in *rec stay
 * valid until the next call or sd_reader_free().
 */
SD_API int sd_reader_next(sd_reader *r, sd_record *rec);

/* Bytes consumed so far (compressed sizes for compressed input), for progress. */
SD_API uint64_t sd_reader_bytes(const sd_reader *r);

/* Records counted so far: with records shared (sd_share, files 0), every
 * record of the input, this process's or not; else the records handed out. */
SD_API uint64_t sd_reader_records(const sd_reader *r);

/* How many input files the queued inputs make, directories expanded (a
 * walk of the inputs not yet opened; nothing is read). 0 or SD_ENOMEM. */
SD_API int sd_reader_count_files(const sd_reader *r, size_t *nfiles);

/* With whole files shared (sd_share.files): the records read from each
 * input file so far, by the file's place in input order (0 for files of
 * other processes), for sd_share_files(). */
SD_API int sd_reader_file_counts(const sd_reader *r, const uint64_t **counts, size_t *nfiles);

/* Message of the last failure that stopped the reader; "" if none or r is
 * NULL. */
SD_API const char *sd_reader_errmsg(const sd_reader *r);

SD_API void sd_reader_free(sd_reader *r);

/* ---- progress -------------------------------------------------------------- */

/*
 * Called from the thread that drives a long job, never concurrently: `stage`
 * names the stage ("sketch", "candidates", "verify", "cluster", ...), `done`
 * and `total` count its units (total 0 when unknown). Returning non-zero asks
 * the job to stop; it then fails with SD_ECANCELED.
 */
typedef int (*sd_progress_fn)(void *ud, const char *stage, uint64_t done, uint64_t total);

/* ---- several processes ------------------------------------------------------ */

/*
 * The transport the processes of one job talk through. Every process calls
 * each function at the same point, with the same sequence of calls
 * (collective calls, as in MPI). Both return 0, or non-zero when the
 * transport failed (the job then fails with SD_EIO).
 *
 * alltoallv: the process sends send_len[p] bytes to each process p, the
 * pieces laid out one after another in `send` in process order, and
 * receives recv_len[p] bytes from each p into `recv`, laid out the same way
 * (the job learns recv_len beforehand with allgather).
 * allgather: the process gives n values; out[p * n + i] is process p's i-th.
 */
typedef struct sd_comm {
    sd_share share;
    void *ud;
    int (*alltoallv)(void *ud, const void *send, const uint64_t *send_len, void *recv,
                     const uint64_t *recv_len);
    int (*allgather)(void *ud, const uint64_t *in, size_t n, uint64_t *out);
} sd_comm;

/* With whole files dealt: counts[f] is how many records this process read
 * from file f of nfiles (0 for the files of others). Collective: every
 * process calls it after reading, before finishing a job. 0, SD_ENOMEM,
 * SD_EIO (the transport failed). */
SD_API int sd_share_files(sd_comm *c, const uint64_t *counts, size_t nfiles);
SD_API void sd_share_release(sd_share *s);

/* ---- dedup: whole-document near-duplicates -------------------------------- */

/*
 * Near-duplicate detection by MinHash LSH. Documents are added in batches (the
 * batch is sketched on the job's thread pool); sd_dedup_finish() finds the
 * candidate pairs, verifies each by its signature estimate, and clusters the
 * verified pairs with union-find. A cluster's representative is its first
 * document in input order. Results never depend on the thread count.
 */
typedef struct sd_dedup_options {
    size_t size;       /* set by sd_dedup_options_init() (see Options above) */
    double threshold;  /* Jaccard threshold in (0,1]; default 0.8 */
    unsigned ngram;    /* words per shingle; default 5 */
    unsigned num_perm; /* signature length; default 256 (multiple of 8, <= 1024) */
    unsigned bands;    /* LSH bands; 0 picks bands and rows from the threshold */
    unsigned rows;     /* LSH rows per band; with bands */
    unsigned threads;  /* worker threads; 0 = one per online CPU */
    uint64_t seed;     /* hash seed; default 0 */
    /* Bounded memory: with memory_limit > 0 (bytes), the job runs in memory
     * while the documents' sketches fit in half the limit; past it, signatures
     * go to a temporary file and the LSH band keys, text hashes and
     * candidate pairs are kept within the limit, sorted runs spilling to
     * temporary files that are merged; what is kept per document is in
     * file-backed arrays of which a part of the limit stays resident.
     * The results are the same as without a limit.
     * The files are created unlinked in tmpdir (NULL: $TMPDIR, else /tmp),
     * so none is left behind however the process ends. */
    uint64_t memory_limit;
    const char *tmpdir;
    /* Several processes: with comm, this job is one of comm->share.count,
     * each given its own share of the records (sd_share) in order; finish
     * exchanges keys with the others (see docs/cluster.md) and every
     * process gets the results of its records, the same as one process
     * given every record would. Indexes in sd_dedup_get() and in results
     * are those of the whole input. With memory_limit as well, the
     * per-document arrays are file-backed and the exchange rounds sized
     * from the limit; the candidate pairs, and on process 0 the edges,
     * still grow with the documents. */
    const sd_comm *comm;
} sd_dedup_options;

SD_API void sd_dedup_options_init(sd_dedup_options *o);

/* One document for sd_dedup_add(): text NULL marks a record that failed to
 * read; it keeps its index and joins no cluster. */
typedef struct sd_doc {
    const char *text;
    size_t len;
} sd_doc;

typedef struct sd_dedup_result {
    uint64_t cluster;  /* dense cluster number, in order of representatives */
    uint64_t rep;      /* index of the cluster's representative */
    double similarity; /* estimated Jaccard to the representative (1 for it) */
    int absent;        /* 1 for a document added with text NULL */
    int exact;         /* 1 when the text equals the representative's byte for byte */
} sd_dedup_result;

typedef struct sd_dedup_stats {
    uint64_t docs, absent, clusters, duplicates;
    uint64_t exact_duplicates; /* duplicates whose text is their representative's */
    uint64_t candidates;       /* distinct candidate pairs from LSH */
    uint64_t verified;         /* candidate pairs whose estimate passed the threshold */
    unsigned bands, rows;      /* LSH parameters in use */
    uint64_t bytes;            /* text bytes sketched */
    uint64_t spilled;          /* bytes written to temporary files (memory_limit) */
    uint64_t exchanged;        /* bytes sent between processes, all of them (comm) */
} sd_dedup_stats;

typedef struct sd_dedup sd_dedup;

/* Creates a job. `o` may be NULL for defaults; errbuf, when not NULL, gets
 * the reason a failure gives (SD_ERRBUF_SIZE bytes: which option is out of
 * range and why). Returns 0, SD_EINVAL, SD_ENOMEM; on failure *out is NULL. */
SD_API int sd_dedup_new(const sd_dedup_options *o, sd_dedup **out, char *errbuf);

/* Sketches `n` documents, giving them the next indexes. Texts are read during
 * the call only. Returns 0, SD_EINVAL (docs NULL with n > 0, or after
 * finish), SD_ETOOBIG (more than 2^40 documents), SD_ENOMEM, SD_EIO (a
 * temporary file, with memory_limit). */
SD_API int sd_dedup_add(sd_dedup *d, const sd_doc *docs, size_t n);

/* Finds, verifies and clusters duplicates, once. `progress` may be NULL.
 * Returns 0, SD_EINVAL (called twice), SD_ENOMEM, SD_ECANCELED, SD_EIO (a
 * temporary file, with memory_limit; the transport, with comm). */
SD_API int sd_dedup_finish(sd_dedup *d, sd_progress_fn progress, void *ud);

/* Result for document `index`, once finished. Returns 0 or SD_EINVAL (an
 * index out of range or another process's, or before finish). */
SD_API int sd_dedup_get(const sd_dedup *d, uint64_t index, sd_dedup_result *r);

/* The job's figures so far (all zero for d NULL). */
SD_API void sd_dedup_get_stats(const sd_dedup *d, sd_dedup_stats *s);
/* The message of the job's last failure; "" if none or d is NULL. */
SD_API const char *sd_dedup_errmsg(const sd_dedup *d);
SD_API void sd_dedup_free(sd_dedup *d);

/* ---- similarity primitives -------------------------------------------------- */

/*
 * Computes a document's MinHash signature (num_perm 32-bit values) over its
 * word n-gram shingles, exactly as sd_dedup does. `sig` must hold num_perm
 * values; *shingles (may be NULL) gets the number of shingles (0 for a text
 * with no words, whose signature matches nothing). Returns 0, SD_EINVAL
 * (ngram outside 1..64, num_perm outside 1..1024, a NULL text with a
 * length), SD_ENOMEM.
 */
SD_API int sd_minhash(const char *text, size_t len, unsigned ngram, unsigned num_perm,
                      uint64_t seed, uint32_t *sig, size_t *shingles);

/* Estimated Jaccard similarity of two signatures of length num_perm. */
SD_API double sd_minhash_similarity(const uint32_t *a, const uint32_t *b, unsigned num_perm);

/*
 * Article extraction: the text a web page's article carries, without its
 * navigation, ads, share bars, comments, related-story lists and stories
 * appended below it. The markup is decoded to UTF-8 first (the charset
 * hint, else a byte order mark or <meta charset>, else the bytes' own
 * evidence), parsed with libxml2's HTML parser (error-tolerant, no network),
 * cut into blocks, and the article chosen from text and link density,
 * function-word density, paragraph structure and class/id/role names, with
 * a pass over neighbouring blocks for short paragraphs.
 *
 * The result is caller-owned: sd_article_release() frees what an
 * extraction put in it. The functions keep no state: any number may run at
 * once on distinct sd_article structs.
 */
typedef struct sd_extract_options {
    size_t size;        /* set by sd_extract_options_init() (see Options above) */
    unsigned min_words; /* fewest words a paragraph needs outside the
                           article's run of text (default 10) */
    size_t max_html;    /* largest markup parsed in bytes; default 16 MiB.
                           Larger pages fail with SD_ETOOBIG */
    unsigned flags;     /* SD_EXTRACT_* below; default 0 */
    const char *url;    /* the page's address when known, or NULL: a date
                           in it is the last resort for sd_article.date */
} sd_extract_options;

/* sd_extract_options.flags */
#define SD_EXTRACT_COMMENTS                                                                        \
    1u                          /* readers' comments into sd_article.comments                      \
                                   (never into text) */
#define SD_EXTRACT_NO_TABLES 2u /* drop tables inside the article */
#define SD_EXTRACT_LINKS 4u     /* link targets into sd_article.links */
#define SD_EXTRACT_CAPTIONS 8u  /* keep figure captions inside the article */

/* Fills *o with the defaults. */
SD_API void sd_extract_options_init(sd_extract_options *o);

typedef enum sd_para_kind {
    SD_PARA_TEXT = 0, /* a paragraph of prose */
    SD_PARA_HEADING,  /* a heading inside the article */
    SD_PARA_ITEM,     /* a list item */
    SD_PARA_QUOTE,    /* a block quotation */
    SD_PARA_PRE,      /* preformatted text (line breaks kept) */
    SD_PARA_CELL,     /* table text */
    SD_PARA_CAPTION   /* a figure's caption (with SD_EXTRACT_CAPTIONS) */
} sd_para_kind;

typedef struct sd_paragraph {
    size_t start, end; /* bytes of sd_article.text, half-open */
    sd_para_kind kind;
    unsigned level; /* a heading's level (1 to 6); for a cell, 1 when it
                       starts a table row, else 0 */
} sd_paragraph;

/* A link inside the text (SD_EXTRACT_LINKS): text[start, end) links to
 * url, a NUL-terminated string owned by the article. */
typedef struct sd_link {
    size_t start, end;
    const char *url;
} sd_link;

typedef struct sd_article {
    char *title; /* the page's title (og:title, <title> or the first
                    <h1>), valid UTF-8 with a NUL after it; "" if none */
    size_t title_len;
    char *text; /* the paragraphs joined by "\n\n", valid UTF-8,
                   with a NUL after it; "" when nothing was found */
    size_t text_len;
    sd_paragraph *paragraphs; /* in page order */
    size_t n_paragraphs;
    const char *charset; /* static name of the charset decoded from ("utf-8",
                            "windows-1252", ...) */
    const char *lang;    /* static code of the language whose function words
                            the page uses most ("en", "de", ...), or "" */
    size_t repaired;     /* bytes replaced by U+FFFD while decoding */
    int found;           /* 1 when an article was found, 0 when not */
    const char *reason;  /* when found is 0: a static sentence saying why
                            ("no text", "no run of prose", ...); else NULL */
    const char *method;  /* static: how the text was found: "article" (a run
                            of prose won clearly), "fallback" (none did: the
                            best block by looser rules), "whole-page"; ""
                            when found is 0 */
    /* The page's metadata, each valid UTF-8 with a NUL after it, "" when
     * the page does not give it. Dates are YYYY-MM-DD. */
    char *author;        /* meta author, JSON-LD author, a byline link */
    char *date;          /* published: JSON-LD, meta tags, <time>, the URL */
    char *date_modified; /* modified: JSON-LD, meta tags */
    char *site_name;     /* og:site_name, JSON-LD publisher */
    char *page_lang;     /* as the page declares it: <html lang>, og:locale */
    char *canonical_url; /* <link rel=canonical>, og:url */
    char *description;   /* meta description, og:description */
    /* Readers' comments (SD_EXTRACT_COMMENTS): each comment's text is
     * comments[i] in comments_text, its paragraphs joined by "\n\n". */
    char *comments_text;
    size_t comments_text_len;
    sd_paragraph *comments;
    size_t n_comments;
    sd_link *links; /* SD_EXTRACT_LINKS: the links inside text, in order */
    size_t n_links;
    char *link_urls; /* where the links' urls live */
} sd_article;

/*
 * Extracts the article of the page html[0..len) into *out (which need not
 * be initialized; it is overwritten). `charset_hint` is the charset named
 * by an HTTP header, or NULL; "utf-8" for markup that is already decoded
 * (as sd_record.html is). `o` may be NULL for defaults.
 *
 * A page without an article is not an error: it returns 0 with found 0,
 * a reason, and an empty text. Returns 0, SD_EINVAL (html NULL with a
 * length), SD_ETOOBIG (len > max_html), SD_ENOMEM; on failure *out holds
 * nothing to release (releasing it is still safe). Thread-safe.
 */
SD_API int sd_extract(const char *html, size_t len, const char *charset_hint,
                      const sd_extract_options *o, sd_article *out);

/*
 * As sd_extract(), but keeps all the visible text of the page (scripts,
 * styles, hidden elements and markup dropped), one paragraph per block:
 * the "whole page" text. found is 1 when the page has any text.
 */
SD_API int sd_extract_whole_page(const char *html, size_t len, const char *charset_hint,
                                 const sd_extract_options *o, sd_article *out);

/* Frees the strings and arrays an extraction put in *a and empties it.
 * Safe on an emptied or zeroed struct. */
SD_API void sd_article_release(sd_article *a);

/*
 * Many pages at once: an extractor runs sd_extract() (or, with whole_page,
 * sd_extract_whole_page()) over a batch of pages on its own thread pool.
 * The results do not depend on the thread count. An extractor is driven by
 * one thread at a time; distinct extractors may run at once.
 */
typedef struct sd_page {
    const char *html; /* markup, decoded or not */
    size_t len;
    const char *charset_hint; /* as for sd_extract(); may be NULL */
    const char *url;          /* the page's address, or NULL (as
                                 sd_extract_options.url) */
} sd_page;

typedef struct sd_extractor sd_extractor;

/* `o` may be NULL for defaults; threads 0 means one per online CPU;
 * errbuf, when not NULL, gets the reason a failure gives (SD_ERRBUF_SIZE
 * bytes). Returns 0, SD_EINVAL (options), SD_ENOMEM; on failure *out is
 * NULL. An extractor has no states: each run stands alone, and a page that
 * fails fails alone (its rc). */
SD_API int sd_extractor_new(const sd_extract_options *o, unsigned threads, int whole_page,
                            sd_extractor **out, char *errbuf);

/* Extracts pages[0..n) into out[0..n), releasing what each out[i] held
 * first (zero them before the first use). rc[i] gets what sd_extract()
 * returned for page i. Returns 0, or SD_EINVAL for NULL arrays with n > 0. */
SD_API int sd_extractor_run(sd_extractor *x, const sd_page *pages, size_t n, sd_article *out,
                            int *rc);

SD_API void sd_extractor_free(sd_extractor *x);

/*
 * Records with their text resolved, for callers that compare texts (the
 * program's dedup and trace do): a text record passes through with its own
 * text; a page (an HTML file, a WARC response, a JSONL record with an html
 * field) gets its article text (sd_extract()), or with SD_PAGE_WHOLE all
 * its visible text (sd_extract_whole_page()), and the extraction in *art.
 * A page without such text comes back as a failed record (error
 * SD_EMISSING, errmsg "page has no article text (no run of prose)" and the
 * like), or with SD_PAGE_KEEP_EMPTY as a record with text NULL whose *art
 * says why (found 0). Pages are extracted in batches of 256 (or 64 MiB of
 * records) on an extractor of `threads` threads (0: one per online CPU)
 * with options `eo` (NULL: defaults), records kept in input order; a
 * corpus without pages pays nothing.
 *
 * The page reader reads from `r`, which must outlive it and which the
 * caller must not read from while it is in use. Not thread-safe.
 */
#define SD_PAGE_WHOLE 1      /* a page's visible text, not its article's */
#define SD_PAGE_KEEP_EMPTY 2 /* a page without text is a record, not a failure */

typedef struct sd_page_reader sd_page_reader;

/* Returns 0, SD_EINVAL (r or out NULL, eo not set up by its _init()),
 * SD_ENOMEM; errbuf, when not NULL, gets the reason (SD_ERRBUF_SIZE
 * bytes). */
SD_API int sd_page_reader_new(sd_reader *r, const sd_extract_options *eo, int flags,
                              unsigned threads, sd_page_reader **out, char *errbuf);
/* As sd_reader_next(): 1 with a record, 0 at the end, or a negative code
 * that stops reading. *art (art may be NULL) is the page's extraction, or
 * NULL for a text record or a failed one. Pointers in *rec and *art stay
 * valid until the next call. */
SD_API int sd_page_reader_next(sd_page_reader *p, sd_record *rec, const sd_article **art);
/* The reason reading stopped; "" if it did not. */
SD_API const char *sd_page_reader_errmsg(const sd_page_reader *p);
SD_API void sd_page_reader_free(sd_page_reader *p);

/*
 * Passage-level text reuse ("trace"). Documents are added in batches: each is
 * tokenized (case, width, quotes, dashes and British spellings folded, "Mr"
 * and the like dropped) and winnowed into fingerprints on the job's pool, so
 * that any run of at least min_passage equal tokens in two documents shares a
 * fingerprint. sd_trace_finish() pairs the documents that share fingerprints
 * (ignoring fingerprints found in more than max_df documents: templates,
 * copyright lines, stock phrases), aligns each pair into passages, and groups
 * the aligned spans into stories: spans of one document that overlap join the
 * same story, so a page that carries two stories belongs to both while the
 * two stay apart. Results never depend on the thread count.
 *
 * Byte offsets are into the text given to sd_trace_add(); ranges are
 * half-open [start, end). A job is driven by one thread at a time.
 */
typedef struct sd_trace_options {
    size_t size;          /* set by sd_trace_options_init() (see Options above) */
    unsigned min_passage; /* fewest tokens a passage has in each document; default 30 */
    unsigned max_df;      /* fingerprints in more documents than this are dropped;
                             0 (default) = max(16, documents / 100), at most 500 */
    unsigned max_gap;     /* most tokens skipped inside a passage between matching
                             runs; 0 (default) = min_passage / 2 + 4 */
    double min_identity;  /* lowest share of equal tokens in a passage; default 0.5 */
    unsigned exact;       /* 1: no spelling or honorific folding; default 0 */
    unsigned threads;     /* worker threads; 0 = one per online CPU */
    uint64_t seed;        /* hash seed; default 0 */
    /* Several processes: with comm, each job is given its share of the
     * documents (sd_share) in order; finish finds the candidate pairs
     * together (fingerprints dealt to processes by hash), then moves every
     * document to process 0, which aligns and builds the stories: there,
     * the results are those of one process given every document (indexes
     * of the whole input); the other processes' jobs end with none. */
    const sd_comm *comm;
    /* Bounded memory: with memory_limit > 0 (bytes), the documents' texts,
     * tokens and fingerprints are kept in an unnamed temporary file in
     * tmpdir (NULL: $TMPDIR, else /tmp; a disk, not tmpfs), mapped, and let
     * go from memory after each batch, each chunk of alignment and every
     * 1,024 stories (the kernel keeps what it has room for); the
     * fingerprint postings and the anchors they make are kept within a
     * quarter of the limit each, full buffers sorted and written as runs
     * to temporary files and merged back; anchors are aligned a chunk of
     * pairs at a time. The results are the same as without a limit. The
     * passages and stories themselves stay in memory. Not with comm. */
    uint64_t memory_limit;
    const char *tmpdir;
    /* 1: every word may start a passage. By default only an article's
     * running prose does: a site's furniture (menus, headline and teaser
     * lists, bylines, copyright lines, comment widgets), told from the
     * text itself, never links two documents, and a passage stops where it
     * meets a stretch of it; where a text has sentence punctuation, a
     * passage holds two sentence ends or more. */
    unsigned all_text;
} sd_trace_options;

SD_API void sd_trace_options_init(sd_trace_options *o);

/* One document for sd_trace_add(). text NULL marks a record that failed to
 * read: it keeps its index and joins no story. date (ISO 8601, may be NULL)
 * lets the earliest copy be named the origin. Zero it before filling it:
 * fields may be added at its end. */
typedef struct sd_trace_doc {
    const char *text;
    size_t len;
    const char *date;
    size_t date_len;
    /* its URL (may be NULL): pages of one site (one host) share text that
     * is the site's own, not a story (see sd_trace_options.all_text) */
    const char *url;
    size_t url_len;
} sd_trace_doc;

typedef struct sd_range {
    uint64_t start, end; /* bytes, half-open */
} sd_range;

/* A run of differing tokens inside a passage: bytes `a` of the first
 * document against bytes `b` of the second (one may be empty, start == end,
 * for a pure insertion or deletion). */
typedef struct sd_change {
    sd_range a, b;
} sd_change;

typedef struct sd_passage {
    uint64_t doc_a, doc_b;       /* document indexes, doc_a < doc_b */
    sd_range a, b;               /* the passage's bytes in each */
    uint64_t tokens_a, tokens_b; /* its tokens in each */
    uint64_t columns, equal;     /* aligned token columns, and equal ones */
    double identity;             /* equal / columns */
    uint64_t story;              /* the story it belongs to */
    const sd_change *changes;    /* its runs of differences, in order */
    size_t n_changes;
} sd_passage;

typedef enum sd_role {
    SD_ROLE_FULL = 0,  /* carries (nearly) all of the story, little else inside it */
    SD_ROLE_TRUNCATED, /* carries the story's beginning, cut off before its end */
    SD_ROLE_EXTENDED,  /* carries all of it with material added inside */
    SD_ROLE_EXCERPT,   /* carries some parts of it */
    SD_ROLE_REWRITE    /* carries it with many changed words */
} sd_role;

/* Returns "full", "truncated", "extended", "excerpt" or "rewrite". */
SD_API const char *sd_role_name(sd_role r);

typedef struct sd_story_member {
    uint64_t doc; /* document index */
    sd_role role;
    double share;          /* share of the consensus tokens it carries, 0..1 */
    double identity;       /* equal share of its alignment with the origin */
    const sd_range *spans; /* where the story lies in this document */
    size_t n_spans;
    const sd_range *added; /* bytes of this document inside its spans that
                              the origin lacks */
    size_t n_added;
    const sd_range *lacks; /* bytes of the ORIGIN's consensus this copy lacks */
    size_t n_lacks;
    const sd_range *changed; /* bytes of this document aligned to different
                                words of the origin */
    size_t n_changed;
} sd_story_member;

typedef struct sd_story {
    uint64_t id;               /* dense, from 0 */
    uint64_t origin;           /* document index of the likely origin */
    int origin_by_date;        /* 1 when chosen as the earliest date, 0 when as
                                  the copy carrying most of the story */
    const sd_range *consensus; /* bytes of the origin shared with other copies */
    size_t n_consensus;
    uint64_t consensus_tokens;
    const sd_story_member *members; /* in document order, origin included */
    size_t n_members;
    uint64_t passages; /* passages in the story */
} sd_story;

typedef struct sd_trace_stats {
    uint64_t docs, absent, bytes, tokens;
    uint64_t fingerprints; /* fingerprints of all documents */
    uint64_t dropped;      /* distinct fingerprints over max_df documents */
    unsigned max_df;       /* the cap in use */
    unsigned k, w;         /* k-gram length and winnowing window */
    uint64_t pairs;        /* candidate document pairs aligned */
    uint64_t passages, stories;
    uint64_t exchanged;     /* bytes sent between processes, all of them (comm) */
    uint64_t spilled;       /* bytes written to temporary files (memory_limit):
                               key runs and the documents' store */
    uint64_t site_passages; /* passages between pages of one site that no
                               other site printed: the site's own text */
} sd_trace_stats;

typedef struct sd_trace sd_trace;

/* Creates a job. `o` may be NULL for defaults; errbuf, when not NULL, gets
 * the reason a failure gives (SD_ERRBUF_SIZE bytes). Returns 0, SD_EINVAL
 * for an option out of range (min_passage < 4, min_identity outside
 * [0,1]), SD_EIO (no temporary file in tmpdir, with memory_limit),
 * SD_ENOMEM; on failure *out is NULL. */
SD_API int sd_trace_new(const sd_trace_options *o, sd_trace **out, char *errbuf);

/* Tokenizes and fingerprints `n` documents, giving them the next indexes.
 * The texts are copied. Returns 0, SD_EINVAL (docs NULL with n > 0, or
 * after finish), SD_ENOMEM, SD_ETOOBIG (a text of 4 GiB or more). */
SD_API int sd_trace_add(sd_trace *t, const sd_trace_doc *docs, size_t n);

/* Finds candidate pairs, aligns them, builds stories, once. `progress` may
 * be NULL; stages "candidates", "align", "stories". Returns 0, SD_EINVAL
 * (called twice), SD_ENOMEM, SD_ETOOBIG (too many anchors), SD_ECANCELED. */
SD_API int sd_trace_finish(sd_trace *t, sd_progress_fn progress, void *ud);

/* After finish: passages in order of (doc_a, doc_b, start in a), and
 * stories in order of their first passage. NULL for an index out of range,
 * and no passages or stories before finish. Valid until sd_trace_free(). */
SD_API size_t sd_trace_passage_count(const sd_trace *t);
SD_API const sd_passage *sd_trace_passage(const sd_trace *t, size_t i);
SD_API size_t sd_trace_story_count(const sd_trace *t);
SD_API const sd_story *sd_trace_story(const sd_trace *t, size_t i);

/* The stories document `doc` carries (ascending ids; *n may be 0). Returns 0
 * or SD_EINVAL for an unknown document or before finish. */
SD_API int sd_trace_doc_stories(const sd_trace *t, uint64_t doc, const uint64_t **stories,
                                size_t *n);

/* The text of document `doc` as added (NULL, 0 for an absent one). Returns
 * 0 or SD_EINVAL. */
SD_API int sd_trace_doc_text(const sd_trace *t, uint64_t doc, const char **text, size_t *len);

/* The job's figures so far (all zero for t NULL). */
SD_API void sd_trace_get_stats(const sd_trace *t, sd_trace_stats *s);
/* Under a memory limit, lets the documents' pages go from memory (they are
 * read back when touched): for callers that read many texts after finish. */
SD_API void sd_trace_release_pages(sd_trace *t);
/* The message of the job's last failure; "" if none or t is NULL. */
SD_API const char *sd_trace_errmsg(const sd_trace *t);
SD_API void sd_trace_free(sd_trace *t);

/*
 * The passages two texts share, as sd_trace finds them (doc_a 0 is `a`,
 * doc_b 1 is `b`; max_df and threads are ignored; `o` may be NULL). On
 * success *out (NULL when none) and *n are set; the array and its changes
 * are one allocation owned by the caller: free it with sd_passages_free().
 * Returns 0, SD_EINVAL (bad options, or a NULL text with a length),
 * SD_ENOMEM, SD_ETOOBIG. Thread-safe: it uses no shared state.
 */
SD_API int sd_align_pair(const char *a, size_t na, const char *b, size_t nb,
                         const sd_trace_options *o, sd_passage **out, size_t *n);
SD_API void sd_passages_free(sd_passage *p, size_t n);

/*
 * The story report: one self-contained HTML page (no network access) that
 * shows a trace's stories, their copies side by side and the documents in
 * no story, as `syndic trace --html` writes it. The page is the frame
 * around a JSON array of the trace's lines (each a story, passage or doc
 * object of docs/output.md, with the texts: what `syndic trace --doc-text
 * --passages` prints): write sd_report_head(), then the lines through
 * sd_report_json() separated by commas (a newline after each keeps the
 * page readable), then sd_report_tail(). sd_report_json() writes JSON text
 * with <, > and & as \u003c, \u003e and \u0026, so that no input text can
 * end the script element or open markup; it keeps the JSON's meaning.
 *
 * `w` is called with the page's bytes in order and returns 0, or non-zero
 * to stop (the function then returns SD_EIO). Each returns 0, SD_EINVAL
 * (w NULL, or p NULL with a length) or SD_EIO. Thread-safe.
 */
typedef int (*sd_write_fn)(void *ud, const void *p, size_t n);

SD_API int sd_report_head(sd_write_fn w, void *ud);
SD_API int sd_report_json(sd_write_fn w, void *ud, const char *p, size_t n);
SD_API int sd_report_tail(sd_write_fn w, void *ud);

/* ---- index: a persistent index for a stream of pages ------------------------ */

/*
 * An index keeps pages as they arrive, day after day, and answers for each
 * new page what `dedup` and `trace` would answer if they were run over every
 * page kept so far: its near-duplicate, and the stories it joins or starts
 * with what it kept, added, lacks and changed. It is a directory holding an
 * LMDB environment (data.mdb, lock.mdb): memory-mapped, transactional, one
 * writer and any number of readers at once, in any processes, no server.
 *
 * Pages are added in batches. A batch is one write transaction: it becomes
 * visible, durably, when sd_index_commit() returns 0, or not at all (a
 * process killed at any moment, a full disk, a full map leave the index as
 * it was before the batch). A query runs the same steps inside a read
 * transaction, keeping what it would write in memory: its answers are an
 * add's, and the index is unchanged.
 *
 * The answers are the batch answers: adding pages in any number of batches
 * gives the same duplicates and the same stories (members, origin,
 * consensus, every copy's role, spans, additions, lacks and changes) as
 * sd_dedup and sd_trace over all of them in the order they were added.
 * Documents are numbered in that order, from 0, for the index's life.
 * Story ids are stable: a story keeps its id as copies join; when stories
 * merge, the oldest id survives and the batch's answers name the others.
 *
 * Options that change what is found (thresholds, minimum passage, hashing
 * seed, folding) are fixed when the index is created and stored in it;
 * opening it with a different value fails with SD_EINVAL and a message
 * naming both. An index written by a later format version is refused
 * (SD_EFORMAT), naming both versions.
 *
 * Threads: an sd_index is used by one thread at a time. Open an index once
 * per process (an LMDB rule); other processes may open it at the same time,
 * one of them adding.
 */
typedef struct sd_index sd_index;

/* SD_INDEX_FORMAT: the format version this library writes and the newest
 * it reads. */
#define SD_INDEX_FORMAT 2

/* sd_index_options's marker for "not given": a field left at its _init()
 * value takes the index's stored value (or, at creation, the default). */
#define SD_INDEX_UNSET_SEED UINT64_MAX

typedef struct sd_index_options {
    size_t size; /* set by sd_index_options_init() (see Options above) */
    /* Fixed at creation; 0 (or negative where marked) = as stored, or the
     * default of sd_dedup_options / sd_trace_options at creation. */
    double threshold;     /* dedup's Jaccard threshold */
    unsigned ngram;       /* dedup's words per shingle */
    unsigned num_perm;    /* dedup's signature length */
    unsigned bands, rows; /* dedup's LSH bands and rows (0: from threshold) */
    unsigned min_passage; /* trace's fewest tokens in a passage */
    double min_identity;  /* trace's lowest identity; negative = unset */
    int exact;            /* trace: no spelling folding; negative = unset */
    int all_text;         /* trace: every word may start a passage; negative = unset */
    int whole_page;       /* how the caller makes a page's text (whole visible text,
                             not its article): kept and checked, not used by the
                             library; negative = unset */
    uint64_t seed;        /* hash seed of both; SD_INDEX_UNSET_SEED = unset */
    /* Per open. */
    uint64_t map_size; /* most bytes the index may grow to; 0: as stored, 64 GiB
                          for a new index. A larger value grows an index; a full
                          map fails a batch with SD_ETOOBIG (nothing written) */
    unsigned threads;  /* worker threads for a batch; 0 = one per online CPU */
} sd_index_options;

SD_API void sd_index_options_init(sd_index_options *o);

/* sd_index_open() flags */
#define SD_INDEX_CREATE 1u    /* create the index when `path` holds none */
#define SD_INDEX_READ_ONLY 2u /* open for queries and reading only */

/*
 * Opens the index in directory `path` (with SD_INDEX_CREATE, made when
 * absent, with o's fixed options). `o` may be NULL. On failure *out is
 * NULL and errbuf (when not NULL, SD_ERRBUF_SIZE bytes) says why.
 * Returns 0, SD_EIO (no index there, cannot create or open it),
 * SD_EFORMAT (not an index, damaged, or a format version this library
 * does not read), SD_EINVAL (an option conflicting with the stored one,
 * out of range, or options not set up by sd_index_options_init()),
 * SD_ENOMEM.
 */
SD_API int sd_index_open(const char *path, const sd_index_options *o, unsigned flags,
                         sd_index **out, char *errbuf);

/* The options in force (stored ones and this open's). */
SD_API void sd_index_get_options(const sd_index *ix, sd_index_options *o);

/* One page for a batch. Zero it before filling it: fields may be added at
 * its end. text NULL: nothing to add (a record that failed; the caller
 * answers for it); the page then takes no document number. */
typedef struct sd_index_page {
    const char *id; /* the record's id (may be NULL) */
    size_t id_len;
    const char *text; /* the text compared, valid UTF-8 */
    size_t len;
    const char *url; /* may be NULL: pages of one host share a site's text */
    size_t url_len;
    const char *date; /* ISO 8601, may be NULL: the earliest copy is a story's
                         origin; when absent, the time the page is added is
                         its date for sd_index_expire() and since filters */
    size_t date_len;
} sd_index_page;

/* sd_index_begin() modes */
#define SD_INDEX_ADD 1
#define SD_INDEX_QUERY 2

/*
 * A batch: begin, add pages with sd_index_put() (any number of calls, the
 * pages taking the next document numbers), read the answers, then commit.
 * In SD_INDEX_ADD mode commit makes the batch durable; in SD_INDEX_QUERY
 * mode it only ends the batch (nothing was written). sd_index_abort()
 * drops a batch. A read-only index allows queries only. Each returns 0,
 * SD_EINVAL (out of order, or an add on a read-only index), SD_ENOMEM,
 * SD_EIO, SD_ETOOBIG (the map is full: nothing of the batch is written;
 * reopen with a larger map_size), SD_EFORMAT (the index is damaged).
 * After a failure the batch is aborted.
 */
SD_API int sd_index_begin(sd_index *ix, int mode);
SD_API int sd_index_put(sd_index *ix, const sd_index_page *pages, size_t n);
SD_API int sd_index_commit(sd_index *ix);
SD_API void sd_index_abort(sd_index *ix);

/* A story a page is in, as the batch leaves it. */
typedef struct sd_index_story_ref {
    uint64_t story;         /* its id */
    int started;            /* 1: the story is new in this batch */
    const uint64_t *merged; /* ids of stories this batch merged into it */
    size_t n_merged;
    const sd_story *s;        /* the story (documents by index number) */
    const sd_story_member *m; /* the page as a copy in it */
} sd_index_story_ref;

typedef struct sd_index_answer {
    uint64_t doc;                      /* the page's document number */
    int duplicate;                     /* 1: a near-duplicate of an earlier document */
    uint64_t duplicate_of;             /* with duplicate: its cluster's representative */
    double similarity;                 /* with duplicate: estimated Jaccard to it */
    int exact;                         /* with duplicate: joined as a byte-for-byte copy */
    const sd_index_story_ref *stories; /* in order of id */
    size_t n_stories;
} sd_index_answer;

/* The answer for the i-th page put in the current batch (pages with text
 * NULL not counted), as the whole batch leaves the index. Valid until the
 * next call on the index. Returns 0, SD_EINVAL (no batch, or i out of
 * range), or an error of reading. */
SD_API int sd_index_get_answer(sd_index *ix, size_t i, sd_index_answer *a);

/* A document as kept: its id, URL, date (as given; NULL when none), when
 * it was added (seconds since 1970), its text, and its dedup state. */
typedef struct sd_index_doc {
    uint64_t doc;
    const char *id, *url, *date;
    size_t id_len, url_len, date_len;
    const char *text;
    size_t len;
    int64_t added;
    int duplicate, exact;
    uint64_t duplicate_of;
    double similarity;
    const uint64_t *stories; /* the stories it is in */
    size_t n_stories;
} sd_index_doc;

/*
 * Reading, outside a batch or inside one (then as the batch leaves it):
 * a document, a story with its passages, and the stories in order of id
 * whose latest copy is dated `since` or later (NULL: all; dates compare
 * as strings, ISO 8601) with at least min_copies copies. Pointers stay
 * valid until the next call on the index. sd_index_doc_get and
 * sd_index_story_get return 0, 1 when the document or story does not
 * exist, or an error code; sd_index_next_story returns 1 with *s set, 0
 * after the last, or an error code; start a walk with *cursor 0.
 * Outside a batch, reads see the index as it was at the first read after
 * opening or after sd_index_refresh(), which lets go of that snapshot.
 */
SD_API int sd_index_doc_get(sd_index *ix, uint64_t doc, sd_index_doc *d);
SD_API int sd_index_story_get(sd_index *ix, uint64_t story, const sd_story **s,
                              const sd_passage **passages, size_t *n_passages);
SD_API int sd_index_next_story(sd_index *ix, uint64_t *cursor, const char *since, size_t min_copies,
                               const sd_story **s);
SD_API void sd_index_refresh(sd_index *ix);

/*
 * Removes every document dated before `before` (ISO 8601, compared as
 * strings with the documents' dates, or when they had none the time they
 * were added): the index then answers as if they had never been added.
 * One write transaction. *removed gets how many went. Returns as
 * sd_index_commit() does.
 */
SD_API int sd_index_expire(sd_index *ix, const char *before, uint64_t *removed);

typedef struct sd_index_stats {
    unsigned format;               /* format version of the index */
    uint64_t docs;                 /* documents kept */
    uint64_t next_doc;             /* the next document number */
    uint64_t clusters, duplicates; /* dedup: clusters of 2 or more, documents in
                                      them that are not representatives */
    uint64_t stories, passages;    /* trace: stories, aligned candidate passages */
    uint64_t units;                /* sets of passages recomputed together */
    uint64_t fingerprints;         /* distinct fingerprints */
    uint64_t map_size, map_used;   /* bytes: the map, and the pages in use */
    uint64_t file_size;            /* bytes of data.mdb */
    uint64_t text_bytes;           /* of the documents' texts */
} sd_index_stats;

/* Fills *s (outside a batch). Returns 0 or an error code. */
SD_API int sd_index_get_stats(sd_index *ix, sd_index_stats *s);

/*
 * Checks the index through: every record's checksum, that what refers to
 * a document, passage, unit or story finds it, the counters, and every
 * document's dedup cluster against its edges. Returns 0 when all holds,
 * SD_EFORMAT (the message names the first problem and how many there are)
 * or another error code.
 */
SD_API int sd_index_check(sd_index *ix);

SD_API const char *sd_index_errmsg(const sd_index *ix);
SD_API void sd_index_close(sd_index *ix);

#ifdef __cplusplus
}
#endif
#endif /* SYNDIC_H */
