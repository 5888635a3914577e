/*
 * ev_readme: README.txt, the pack's first page for a reader without shoseki:
 * what it is, for which case, the exact command, when and by which version it
 * was made, the zone of its times, the archive head, what each file holds and
 * how to check it, in English or Japanese (--lang ja). The "Created" line is
 * the only one that differs between two packs of the same selection.
 */
#include <string.h>

#include "evidence_priv.h"

/* The text of each part, English then Japanese. */
struct readme_text {
    const char *title, *case_name, *command, *created, *made_by, *data, *zone, *zone_note, *policy,
        *none, *head, *frame, *events, *counts[4], *missing[3], *files_head, *files, *check;
};

static const struct readme_text readme_en = {
    "shoseki evidence pack\n=====================\n\n",
    "Case:            ",
    "Command:         ",
    "Created:         ",
    "Made by:         shoseki ",
    "Data directory:  ",
    "Time zone:       ",
    " (times in persons.csv, files.csv and result.csv; events.csv is in UTC)\n",
    "Policy:          ",
    "(none)",
    "Archive head:    ",
    "frame",
    "Events:          ",
    { " (", " persons, ", " files, ", " source files)\n" },
    { "Missing:         ", " selected events not in the archive, ",
      " original records (originals/*.missing.txt)\n" },
    "\nFiles\n-----\n",
    "README.txt       this file\n"
    "result.csv       the selection's own result, as the command prints it\n"
    "events.csv       every selected event with all its normalized fields and its archive\n"
    "                 reference (ref = FRAME:INDEX), in archive order\n"
    "persons.csv      one row per person: first and last event, events, files, actions\n"
    "files.csv        one row per file: first and last event, events, persons, actions\n"
    "sources.csv      each source file the events came from, with its SHA-256 at collection\n"
    "originals/       the original record of each event (EVTX: its XML; text logs: the\n"
    "                 original lines, each after its byte offset), named after its ref\n"
    "                 (FRAME-INDEX); .missing.txt says why a record could not be shown\n"
    "certificates/    (when disposal records are among the events) each certificate of\n"
    "                 destruction, byte for byte, named by the SHA-256 its record gives\n"
    "chain.txt        the archive frames the pack draws on, with their SHA-256, and the head\n"
    "MANIFEST.sha256  the SHA-256 of every other file\n",
    "\nHow to check this pack\n----------------------\n"
    "1. Without shoseki: in the pack's directory, `sha256sum -c MANIFEST.sha256` must say OK\n"
    "   for every file, and the pack must hold no file the manifest does not list\n"
    "   (`find . -type f | wc -l` is one more than `wc -l < MANIFEST.sha256`).\n"
    "2. With shoseki: `shoseki verify --pack DIR` checks the same (a file changed, added or\n"
    "   removed fails); with `--data DIR` of the archive it also checks that every frame in\n"
    "   chain.txt and the head are in the archive's intact hash chain.\n"
    "3. `shoseki evidence` printed the SHA-256 of MANIFEST.sha256 when it made the pack;\n"
    "   whoever received that number can tell this manifest is the one that was made.\n",
};

static const struct readme_text readme_ja = {
    "shoseki 証跡パック\n==================\n\n",
    "案件:              ",
    "コマンド:          ",
    "作成日時:          ",
    "作成プログラム:    shoseki ",
    "データディレクトリ: ",
    "タイムゾーン:      ",
    "（persons.csv、files.csv、result.csv の時刻。events.csv は UTC）\n",
    "ポリシー:          ",
    "（なし）",
    "アーカイブのヘッド: ",
    "フレーム",
    "イベント:          ",
    { "（", " 人、", " ファイル、", " ソースファイル）\n" },
    { "欠落:              アーカイブにない選択イベント ", " 件、元の記録 ",
      " 件（originals/*.missing.txt）\n" },
    "\nファイル\n--------\n",
    "README.txt       このファイル\n"
    "result.csv       選択したコマンド自体の結果（コマンドが出力するとおり）\n"
    "events.csv       選択されたすべてのイベント。正規化した全項目とアーカイブ参照\n"
    "                 （参照 = フレーム:番号）をアーカイブ順に収める\n"
    "persons.csv      人ごとに 1 行: 最初と最後のイベント、イベント数、ファイル数、操作\n"
    "files.csv        ファイルごとに 1 行: 最初と最後のイベント、イベント数、人数、操作\n"
    "sources.csv      イベントの元になったログファイルと、収集時の SHA-256\n"
    "originals/       各イベントの元の記録（EVTX は XML、テキストログは元の行とその\n"
    "                 バイト位置）。ファイル名は参照（フレーム-番号）。.missing.txt は\n"
    "                 元の記録を示せなかった理由\n"
    "certificates/    （廃棄記録を含むとき）廃棄証明書をそのまま。名前は記録にある SHA-256\n"
    "chain.txt        このパックが拠るアーカイブのフレームとその SHA-256、およびヘッド\n"
    "MANIFEST.sha256  ほかのすべてのファイルの SHA-256\n",
    "\nこのパックの確かめ方\n--------------------\n"
    "1. shoseki なしで: パックのディレクトリで `sha256sum -c MANIFEST.sha256` を実行し、\n"
    "   すべてのファイルが OK であること。マニフェストにないファイルがないこと\n"
    "   （`find . -type f | wc -l` が `wc -l < MANIFEST.sha256` より 1 多い）。\n"
    "2. shoseki で: `shoseki verify --pack DIR` が同じことを確かめる（ファイルの変更・\n"
    "   追加・削除は失敗になる）。アーカイブの `--data DIR` を付けると、chain.txt の\n"
    "   すべてのフレームとヘッドがアーカイブの改ざんのないハッシュチェーンにあることも\n"
    "   確かめる。\n"
    "3. `shoseki evidence` はパック作成時に MANIFEST.sha256 の SHA-256 を表示した。\n"
    "   その値を受け取った人は、このマニフェストが作成時のものだと確かめられる。\n",
};

/* A copy of `src` that cannot break README's lines: control characters become '?'. */
static void readme_clean(char *dst, size_t dst_len, const char *src)
{
    size_t i;

    (void)snprintf(dst, dst_len, "%s", src != NULL ? src : "");
    for (i = 0; dst[i] != '\0'; i++) {
        if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f) {
            dst[i] = '?';
        }
    }
}

/* Append `s` to `b` as one shell word (quoted when it needs to be). */
static int readme_word(struct sho_buf *b, const char *s)
{
    int rc = 0;

    if (s[0] != '\0' && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "0123456789-_./:=,+@%") == strlen(s)) {
        return sho_buf_appends(b, s);
    }
    rc = sho_buf_putc(b, '\'');
    for (; rc == 0 && *s != '\0'; s++) {
        char c = *s;
        if ((unsigned char)c < 0x20 || c == 0x7f) {
            c = '?'; /* a control character would break README's lines */
        }
        rc = c == '\'' ? sho_buf_appends(b, "'\\''") : sho_buf_putc(b, c);
    }
    return rc == 0 ? sho_buf_putc(b, '\'') : rc;
}

static int readme_fields(const struct ev_pack *p, const struct readme_text *t, uint64_t now,
                         struct sho_buf *b)
{
    char created[SHO_TIME_ISO_MAX], head[SHO_HASH_HEX], name[1024], data[sizeof(p->info.data_dir)];
    char zone[sizeof(p->info.tz)], policy[sizeof(p->info.policy)];
    uint64_t found = 0;
    size_t i;
    int rc = sho_buf_appends(b, t->title);

    for (i = 0; i < p->count; i++) {
        found += p->items[i].found ? 1 : 0;
    }
    readme_clean(name, sizeof(name), p->o.case_name);
    readme_clean(data, sizeof(data), p->info.data_dir);
    readme_clean(zone, sizeof(zone), p->info.tz);
    readme_clean(policy, sizeof(policy), p->info.policy[0] != '\0' ? p->info.policy : t->none);
    if (rc == 0 && p->o.case_name != NULL) {
        rc = sho_buf_appendf(b, "%s%s\n", t->case_name, name);
    }
    rc = rc != 0 ? rc : sho_buf_appendf(b, "%sshoseki", t->command);
    for (i = 0; rc == 0 && i < (size_t)p->o.argc; i++) {
        rc = sho_buf_putc(b, ' ');
        rc = rc != 0 ? rc : readme_word(b, p->o.argv[i]);
    }
    (void)sho_time_format_iso(now, created);
    sho_hash_hex(p->head.hash, head);
    if (rc == 0) {
        rc = sho_buf_appendf(b, "\n%s%s\n%s%s\n%s%s\n%s%s%s%s%s\n%s%s (%s %llu)\n%s%llu",
                             t->created, created, t->made_by, SHOSEKI_VERSION, t->data, data,
                             t->zone, zone, t->zone_note, t->policy, policy, t->head,
                             p->has_head ? head : t->none, t->frame,
                             (unsigned long long)p->head.seq, t->events, (unsigned long long)found);
    }
    if (rc == 0) {
        rc = sho_buf_appendf(b, "%s%zu%s%zu%s%zu%s", t->counts[0], p->persons.count, t->counts[1],
                             p->files.count, t->counts[2], p->sources.count, t->counts[3]);
    }
    if (rc == 0 && (found != p->count || p->originals_missing != 0)) {
        rc = sho_buf_appendf(b, "%s%llu%s%llu%s", t->missing[0],
                             (unsigned long long)(p->count - found), t->missing[1],
                             (unsigned long long)p->originals_missing, t->missing[2]);
    }
    return rc;
}

int ev_readme_write(struct ev_pack *p, uint64_t now, struct sho_err *err)
{
    const struct readme_text *t = p->o.lang == EV_LANG_JA ? &readme_ja : &readme_en;
    struct sho_buf b;
    FILE *f;
    int rc;

    sho_buf_init(&b, EV_TEXT_LIMIT);
    rc = readme_fields(p, t, now, &b);
    if (rc == 0) {
        rc = sho_buf_appendf(&b, "%s%s%s", t->files_head, t->files, t->check);
    }
    if (rc != 0) {
        sho_buf_release(&b);
        return sho_err_set(err, rc, "README.txt", -1, "too long");
    }
    f = ev_create(p, "README.txt", err);
    if (f == NULL) {
        sho_buf_release(&b);
        return SHO_EIO;
    }
    if (fwrite(b.data, 1, b.len, f) != b.len) {
        rc = sho_err_set(err, SHO_EIO, "README.txt", -1, "cannot write the file");
    }
    sho_buf_release(&b);
    {
        int crc = ev_close(f, "README.txt", err);
        return rc != 0 ? rc : crc;
    }
}
