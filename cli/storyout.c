/*
 * storyout.c: the "story" and "passage" JSON lines of docs/trace.md, for
 * every command that writes them (trace, and the index's stories, answers
 * and report), whoever keeps the documents: a story_docs names them.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void out_doc_ref(out *o, const story_docs *d, uint64_t doc)
{
    const char *id;
    size_t len = 0;
    out_str(o, "\"doc\":");
    out_u64(o, doc);
    out_str(o, ",\"id\":");
    if ((id = d->id(d->ud, doc, &len)) != NULL)
        out_json_str(o, id, len);
    else
        out_str(o, "null");
}

void out_ranges(out *o, const char *name, const sd_range *v, size_t n)
{
    size_t i;
    out_printf(o, ",\"%s\":[", name);
    for (i = 0; i < n; i++) {
        out_str(o, i ? ",[" : "[");
        out_u64(o, v[i].start);
        out_char(o, ',');
        out_u64(o, v[i].end);
        out_char(o, ']');
    }
    out_char(o, ']');
}

void out_copy(out *o, const story_docs *d, const sd_story *s, const sd_story_member *m)
{
    out_doc_ref(o, d, m->doc);
    out_printf(o, ",\"role\":\"%s\",\"origin\":%s,\"share\":", sd_role_name(m->role),
               m->doc == s->origin ? "true" : "false");
    out_json_num(o, m->share);
    out_str(o, ",\"identity\":");
    out_json_num(o, m->identity);
    out_ranges(o, "spans", m->spans, m->n_spans);
    out_ranges(o, "added", m->added, m->n_added);
    out_ranges(o, "lacks", m->lacks, m->n_lacks);
    out_ranges(o, "changed", m->changed, m->n_changed);
}

void out_story_head(out *o, const story_docs *d, const sd_story *s)
{
    out_str(o, "\"story\":");
    out_u64(o, s->id);
    out_str(o, ",\"origin\":{");
    out_doc_ref(o, d, s->origin);
    out_printf(o, ",\"by\":\"%s\"}", s->origin_by_date ? "date" : "coverage");
    out_str(o, ",\"members\":");
    out_u64(o, s->n_members);
    out_str(o, ",\"passages\":");
    out_u64(o, s->passages);
    out_str(o, ",\"consensus_tokens\":");
    out_u64(o, s->consensus_tokens);
}

/* One "story" line. The consensus text is the origin's spans joined by
 * " ... " where they are not contiguous. */
void out_story(out *o, const story_docs *d, const sd_story *s, int with_text)
{
    size_t i;
    out_str(o, "{\"type\":\"story\",");
    out_story_head(o, d, s);
    out_ranges(o, "consensus", s->consensus, s->n_consensus);
    if (with_text) {
        const char *txt;
        size_t len = 0;
        char *buf;
        size_t total = 0, k = 0;
        txt = d->text(d->ud, s->origin, &len);
        for (i = 0; i < s->n_consensus; i++)
            total += (size_t)(s->consensus[i].end - s->consensus[i].start) + 5;
        buf = malloc(total + 1);
        if (buf && txt) {
            for (i = 0; i < s->n_consensus; i++) {
                if (i) {
                    static const char gap[5] = {' ', '.', '.', '.', ' '};
                    memcpy(buf + k, gap, sizeof gap);
                    k += 5;
                }
                if (s->consensus[i].end <= len) {
                    memcpy(buf + k, txt + s->consensus[i].start,
                           (size_t)(s->consensus[i].end - s->consensus[i].start));
                    k += (size_t)(s->consensus[i].end - s->consensus[i].start);
                }
            }
            out_str(o, ",\"text\":");
            out_json_str(o, buf, k);
        }
        free(buf);
    }
    out_str(o, ",\"copies\":[");
    for (i = 0; i < s->n_members; i++) {
        out_str(o, i ? ",{" : "{");
        out_copy(o, d, s, &s->members[i]);
        out_char(o, '}');
    }
    out_str(o, "]}\n");
}

static void write_side(out *o, const story_docs *d, uint64_t doc, sd_range b, uint64_t tokens)
{
    out_char(o, '{');
    out_doc_ref(o, d, doc);
    out_str(o, ",\"start\":");
    out_u64(o, b.start);
    out_str(o, ",\"end\":");
    out_u64(o, b.end);
    out_str(o, ",\"tokens\":");
    out_u64(o, tokens);
    out_char(o, '}');
}

void out_passage(out *o, const story_docs *d, const sd_passage *p)
{
    size_t i;
    out_str(o, "{\"type\":\"passage\",\"story\":");
    out_u64(o, p->story);
    out_str(o, ",\"a\":");
    write_side(o, d, p->doc_a, p->a, p->tokens_a);
    out_str(o, ",\"b\":");
    write_side(o, d, p->doc_b, p->b, p->tokens_b);
    out_str(o, ",\"columns\":");
    out_u64(o, p->columns);
    out_str(o, ",\"equal\":");
    out_u64(o, p->equal);
    out_str(o, ",\"identity\":");
    out_json_num(o, p->identity);
    out_str(o, ",\"changes\":[");
    for (i = 0; i < p->n_changes; i++) {
        const sd_change *c = &p->changes[i];
        out_printf(o, "%s[%llu,%llu,%llu,%llu]", i ? "," : "", (unsigned long long)c->a.start,
                   (unsigned long long)c->a.end, (unsigned long long)c->b.start,
                   (unsigned long long)c->b.end);
    }
    out_str(o, "]}\n");
}
