#include "codec_shims.h"
#include "quantize.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* PNG writing without libpng, so that the image can be filtered and deflated in bands
   on several threads (libpng does it row by row on one: 40% of a 24 MP render). Each
   band of rows is an independent raw deflate stream ended with a sync flush, the last
   with the final block, as pigz does; their concatenation is one valid zlib stream.
   The bands are fixed by the image's size alone, never by the thread count, so the
   bytes are the same on any number of workers. The workers also quantize their rows
   from the float planes, so no whole-image buffer of samples is ever made. */

/* Run-length matches only (Z_RLE: distance 1, which after the filters is most of what a
   photo repeats): measured on a dreamed photo, a third of level 4's deflate time for a
   file 1.5% larger (level 1: 1.9% larger at half the time). */
enum { LEVEL = 4, STRATEGY = Z_RLE, BAND_BYTES = 512 * 1024, IDAT_BYTES = 1 << 20 };

typedef struct {
    /* float planes, quantized a row at a time in the workers (no whole-image buffer of
       samples), 16-bit samples big-endian as PNG stores them */
    const float *planes;
    uint32_t width, channels, bit_depth;
    size_t row_bytes;
    size_t bpp; /* bytes per pixel, the filters' distance */
    uint32_t height;
    uint32_t band_rows;
    uint32_t bands;
    uint32_t workers;
    uint32_t next_band; /* the next band a worker takes (atomic) */
    uint8_t **band_out;
    size_t *band_length;
    uLong *band_adler;
    int failed;
} encode_job;


static inline int paeth(int a, int b, int c) {
    int p = a + b - c;
    int pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
}

/* The plain form of png_filter_row, kept as the reference its tests compare with. */
void png_filter_row_reference(const uint8_t *row, const uint8_t *prior, size_t n, size_t bpp, uint8_t *out) {
    uint64_t none = 0, sub = 0, up = 0, average = 0, predicted = 0;
    for (size_t i = 0; i < n; i++) {
        int x = row[i], b = prior[i];
        int a = i >= bpp ? row[i - bpp] : 0, c = i >= bpp ? prior[i - bpp] : 0;
        none += (uint64_t)abs((int8_t)x);
        sub += (uint64_t)abs((int8_t)(x - a));
        up += (uint64_t)abs((int8_t)(x - b));
        average += (uint64_t)abs((int8_t)(x - ((a + b) >> 1)));
        predicted += (uint64_t)abs((int8_t)(x - paeth(a, b, c)));
    }
    uint64_t sums[5] = {none, sub, up, average, predicted};
    int best = 0;
    for (int f = 1; f < 5; f++)
        if (sums[f] < sums[best]) best = f;
    out[0] = (uint8_t)best;
    uint8_t *o = out + 1;
    for (size_t i = 0; i < n; i++) {
        int x = row[i], b = prior[i];
        int a = i >= bpp ? row[i - bpp] : 0, c = i >= bpp ? prior[i - bpp] : 0;
        switch (best) {
        case 0: o[i] = (uint8_t)x; break;
        case 1: o[i] = (uint8_t)(x - a); break;
        case 2: o[i] = (uint8_t)(x - b); break;
        case 3: o[i] = (uint8_t)(x - ((a + b) >> 1)); break;
        default: o[i] = (uint8_t)(x - paeth(a, b, c)); break;
        }
    }
}

/* |(int8_t)d| for the byte d, branch-free: min(d, -d) as unsigned bytes (128 stays 128) */
static inline uint32_t magnitude(uint8_t d) {
    uint8_t negated = (uint8_t)-d;
    return d < negated ? d : negated;
}

/* Paeth's predictor without branches (selects), on the differences it compares. */
static inline uint8_t paeth_select(int a, int b, int c) {
    int pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - 2 * c);
    int chosen = pb <= pc ? b : c;
    return (uint8_t)((pa <= pb && pa <= pc) ? a : chosen);
}

enum { SUM_BLOCK = 1 << 24 }; /* bytes whose magnitudes (at most 128 each) fit a uint32_t */

/* libpng's default choice for 8- and 16-bit images: of the five filters, the one whose
   output has the smallest sum of absolute values (as signed bytes); ties go to the first.
   `prior` is the row above (zeros for the first). Branch-free loops over bytes that the
   compiler vectorises: the filters read only the unfiltered rows, so no byte depends on
   another's result. The five sums first, in one pass, then only the chosen filter. */
static inline __attribute__((always_inline)) void filter_row(const uint8_t *restrict row,
                                                             const uint8_t *restrict prior, size_t n, size_t bpp,
                                                             uint8_t *restrict out) {
    size_t head = n < bpp ? n : bpp;
    uint64_t sums[5] = {0, 0, 0, 0, 0};
    /* the first pixel: a = c = 0, so Sub is None, Average predicts b/2, Paeth predicts b */
    for (size_t i = 0; i < head; i++) {
        uint8_t x = row[i], b = prior[i];
        sums[0] += magnitude(x);
        sums[1] += magnitude(x);
        sums[2] += magnitude((uint8_t)(x - b));
        sums[3] += magnitude((uint8_t)(x - (b >> 1)));
        sums[4] += magnitude((uint8_t)(x - b));
    }
    for (size_t start = head; start < n; start += SUM_BLOCK) {
        size_t end = n - start > SUM_BLOCK ? start + SUM_BLOCK : n;
        uint32_t none = 0, sub = 0, up = 0, average = 0, predicted = 0;
        for (size_t i = start; i < end; i++) {
            uint8_t x = row[i], a = row[i - bpp], b = prior[i], c = prior[i - bpp];
            none += magnitude(x);
            sub += magnitude((uint8_t)(x - a));
            up += magnitude((uint8_t)(x - b));
            average += magnitude((uint8_t)(x - ((a + b) >> 1)));
            predicted += magnitude((uint8_t)(x - paeth_select(a, b, c)));
        }
        sums[0] += none;
        sums[1] += sub;
        sums[2] += up;
        sums[3] += average;
        sums[4] += predicted;
    }
    int best = 0;
    for (int f = 1; f < 5; f++)
        if (sums[f] < sums[best]) best = f;
    out[0] = (uint8_t)best;
    uint8_t *o = out + 1;
    switch (best) {
    case 0:
        memcpy(o, row, n);
        break;
    case 1:
        for (size_t i = 0; i < head; i++) o[i] = row[i];
        for (size_t i = head; i < n; i++) o[i] = (uint8_t)(row[i] - row[i - bpp]);
        break;
    case 2:
        for (size_t i = 0; i < n; i++) o[i] = (uint8_t)(row[i] - prior[i]);
        break;
    case 3:
        for (size_t i = 0; i < head; i++) o[i] = (uint8_t)(row[i] - (prior[i] >> 1));
        for (size_t i = head; i < n; i++) o[i] = (uint8_t)(row[i] - ((row[i - bpp] + prior[i]) >> 1));
        break;
    default:
        for (size_t i = 0; i < head; i++) o[i] = (uint8_t)(row[i] - prior[i]);
        for (size_t i = head; i < n; i++)
            o[i] = (uint8_t)(row[i] - paeth_select(row[i - bpp], prior[i], prior[i - bpp]));
        break;
    }
}

/* The same loops compiled twice: for any x86-64 (SSE2) and, chosen at run time, for
   AVX2 (twice the bytes a step: 0.14 -> 0.05 s CPU at 24 MP). Integer work only, so both
   give the same bytes; the tests run each against the reference. */
void png_filter_row_baseline(const uint8_t *row, const uint8_t *prior, size_t n, size_t bpp, uint8_t *out) {
    filter_row(row, prior, n, bpp, out);
}

#if defined(__x86_64__)
__attribute__((target("avx2"))) void png_filter_row_avx2(const uint8_t *row, const uint8_t *prior, size_t n,
                                                          size_t bpp, uint8_t *out) {
    filter_row(row, prior, n, bpp, out);
}

int png_filter_row_avx2_supported(void) { return __builtin_cpu_supports("avx2") ? 1 : 0; }
#else
void png_filter_row_avx2(const uint8_t *row, const uint8_t *prior, size_t n, size_t bpp, uint8_t *out) {
    filter_row(row, prior, n, bpp, out);
}

int png_filter_row_avx2_supported(void) { return 0; }
#endif

void png_filter_row(const uint8_t *row, const uint8_t *prior, size_t n, size_t bpp, uint8_t *out) {
    static int avx2 = -1; /* a benign race: every thread computes the same value */
    if (__atomic_load_n(&avx2, __ATOMIC_RELAXED) < 0)
        __atomic_store_n(&avx2, png_filter_row_avx2_supported(), __ATOMIC_RELAXED);
    if (__atomic_load_n(&avx2, __ATOMIC_RELAXED))
        png_filter_row_avx2(row, prior, n, bpp, out);
    else
        png_filter_row_baseline(row, prior, n, bpp, out);
}

/* Row y's samples, as PNG stores them, into `out`. */
static void load_row(const encode_job *job, uint32_t y, uint8_t *out) {
    size_t first = (size_t)y * job->width;
    codec_quantize_range(job->planes, (size_t)job->width * job->height, job->channels, job->bit_depth, 1, first,
                         first + job->width, out);
}

/* `rows` holds two rows of scratch: the current row and the one above. */
static int encode_band(encode_job *job, uint32_t band, uint8_t *filtered, const uint8_t *zeros, uint8_t *rows) {
    uint32_t first = band * job->band_rows;
    uint32_t last = first + job->band_rows < job->height ? first + job->band_rows : job->height;
    size_t stride = job->row_bytes + 1, n = job->row_bytes;
    uint8_t *current = rows, *previous = rows + n;
    if (first > 0) load_row(job, first - 1, previous);
    for (uint32_t y = first; y < last; y++) {
        load_row(job, y, current);
        png_filter_row(current, y > 0 ? previous : zeros, n, job->bpp, filtered + (size_t)(y - first) * stride);
        /* this row is the next one's prior */
        uint8_t *spare = previous;
        previous = current;
        current = spare;
    }
    size_t length = (size_t)(last - first) * stride;
    job->band_adler[band] = adler32(adler32(0, Z_NULL, 0), filtered, (uInt)length);
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    if (deflateInit2(&stream, LEVEL, Z_DEFLATED, -15, 8, STRATEGY) != Z_OK) return 0;
    /* the bound plus room for the sync flush's empty stored block */
    size_t capacity = deflateBound(&stream, (uLong)length) + 16;
    uint8_t *out = malloc(capacity);
    if (!out) {
        deflateEnd(&stream);
        return 0;
    }
    stream.next_in = filtered;
    stream.avail_in = (uInt)length;
    stream.next_out = out;
    stream.avail_out = (uInt)capacity;
    int flush = band + 1 == job->bands ? Z_FINISH : Z_SYNC_FLUSH;
    int status = deflate(&stream, flush);
    int done = flush == Z_FINISH ? status == Z_STREAM_END : (status == Z_OK && stream.avail_in == 0);
    job->band_out[band] = out;
    job->band_length[band] = capacity - stream.avail_out;
    deflateEnd(&stream);
    return done;
}

static void *run_worker(void *argument) {
    encode_job *job = argument;
    uint8_t *filtered = malloc((size_t)job->band_rows * (job->row_bytes + 1));
    uint8_t *zeros = calloc(job->row_bytes, 1);
    uint8_t *rows = malloc(2 * job->row_bytes);
    /* Bands in turn from a shared counter: a worker that other processes keep off its core
       holds up no fixed share of the image. A band's bytes go to its own slot, so the
       file does not depend on which worker took it. */
    while (!__atomic_load_n(&job->failed, __ATOMIC_RELAXED)) {
        uint32_t band = __atomic_fetch_add(&job->next_band, 1, __ATOMIC_RELAXED);
        if (band >= job->bands) break;
        if (!filtered || !zeros || !rows || !encode_band(job, band, filtered, zeros, rows)) {
            __atomic_store_n(&job->failed, 1, __ATOMIC_RELAXED);
            break;
        }
    }
    free(filtered);
    free(zeros);
    free(rows);
    return NULL;
}

typedef struct {
    uint8_t *data;
    size_t length;
    size_t capacity;
    int failed;
} output;

static void put(output *o, const void *bytes, size_t count) {
    if (o->failed) return;
    if (o->length + count > o->capacity) {
        size_t capacity = o->capacity ? o->capacity : 65536;
        while (capacity < o->length + count) capacity *= 2;
        uint8_t *grown = realloc(o->data, capacity);
        if (!grown) {
            o->failed = 1;
            return;
        }
        o->data = grown;
        o->capacity = capacity;
    }
    memcpy(o->data + o->length, bytes, count);
    o->length += count;
}

static void put32(output *o, uint32_t value) {
    uint8_t b[4] = {(uint8_t)(value >> 24), (uint8_t)(value >> 16), (uint8_t)(value >> 8), (uint8_t)value};
    put(o, b, 4);
}

/* One chunk: length, type, data in pieces (for IDAT, split over band boundaries), CRC. */
static void put_chunk(output *o, const char *type, const uint8_t *data, size_t length) {
    put32(o, (uint32_t)length);
    put(o, type, 4);
    if (length) put(o, data, length);
    uLong crc = crc32(crc32(0, Z_NULL, 0), (const Bytef *)type, 4);
    if (length) crc = crc32(crc, data, (uInt)length);
    put32(o, (uint32_t)crc);
}

int png_shim_encode_planes(const float *planes, uint32_t width, uint32_t height, uint32_t channels,
                           uint32_t bit_depth, const codec_text *texts, int text_count, int workers,
                           uint8_t **out_data, size_t *out_length, char *error) {
    const codec_image shape = {width, height, channels, bit_depth, NULL}, *image = &shape;
    *out_data = NULL;
    *out_length = 0;
    static const uint8_t color_types[5] = {0, 0, 4, 2, 6};
    if (image->channels < 1 || image->channels > 4 || (image->bit_depth != 8 && image->bit_depth != 16)) {
        snprintf(error, CODEC_ERROR_LENGTH, "cannot write %u channels at %u bits as PNG", image->channels,
                 image->bit_depth);
        return CODEC_UNSUPPORTED;
    }
    if (image->width == 0 || image->height == 0 || image->width > 0x7fffffffu || image->height > 0x7fffffffu) {
        snprintf(error, CODEC_ERROR_LENGTH, "cannot write a %ux%u PNG", image->width, image->height);
        return CODEC_UNSUPPORTED;
    }
    for (int i = 0; i < text_count; i++) {
        size_t key = strlen(texts[i].key);
        if (key < 1 || key > 79) {
            snprintf(error, CODEC_ERROR_LENGTH, "a PNG text key must be 1 to 79 bytes, not %zu", key);
            return CODEC_UNSUPPORTED;
        }
    }
    size_t bytes_per_sample = image->bit_depth / 8;
    size_t row_bytes = (size_t)image->width * image->channels * bytes_per_sample;
    encode_job job = {0};
    job.planes = planes;
    job.width = image->width;
    job.channels = image->channels;
    job.bit_depth = image->bit_depth;
    job.row_bytes = row_bytes;
    job.bpp = image->channels * bytes_per_sample;
    job.height = image->height;
    job.band_rows = (uint32_t)(BAND_BYTES / (row_bytes + 1));
    if (job.band_rows < 1) job.band_rows = 1;
    job.bands = (image->height + job.band_rows - 1) / job.band_rows;
    job.workers = workers < 1 ? 1 : (uint32_t)workers;
    if (job.workers > job.bands) job.workers = job.bands;
    job.band_out = calloc(job.bands, sizeof(uint8_t *));
    job.band_length = calloc(job.bands, sizeof(size_t));
    job.band_adler = calloc(job.bands, sizeof(uLong));
    if (!job.band_out || !job.band_length || !job.band_adler) {
        job.failed = 1;
    } else {
        pthread_t threads[64];
        if (job.workers > 64) job.workers = 64;
        /* If a thread will not start, those that did (and this one) take its bands. */
        uint32_t started = 0;
        while (started + 1 < job.workers && pthread_create(&threads[started], NULL, run_worker, &job) == 0)
            started++;
        run_worker(&job);
        for (uint32_t w = 0; w < started; w++) pthread_join(threads[w], NULL);
    }

    output o = {0};
    if (!job.failed) {
        /* The zlib stream: header (window 32K), the bands, the Adler-32 of all filtered
           rows; cut into IDAT chunks of IDAT_BYTES. The file's size is known before it is
           written: one allocation, and each band's bytes are copied once, into place. */
        uint8_t zlib_head[2], zlib_tail[4];
        unsigned flags = 0x78u << 8; /* FLEVEL 0, as zlib writes for Z_RLE */
        flags += 31 - flags % 31;
        zlib_head[0] = (uint8_t)(flags >> 8);
        zlib_head[1] = (uint8_t)flags;
        uLong adler = adler32(0, Z_NULL, 0);
        size_t stride = row_bytes + 1, total = sizeof zlib_head + sizeof zlib_tail;
        for (uint32_t b = 0; b < job.bands; b++) {
            total += job.band_length[b];
            uint32_t rows = b + 1 == job.bands ? image->height - b * job.band_rows : job.band_rows;
            adler = adler32_combine(adler, job.band_adler[b], (z_off_t)(rows * stride));
        }
        for (int k = 0; k < 4; k++) zlib_tail[k] = (uint8_t)(adler >> (24 - 8 * k));
        size_t size = 8 + 12 + 13 + 12 * ((total + IDAT_BYTES - 1) / IDAT_BYTES) + total + 12;
        for (int i = 0; i < text_count; i++) size += 12 + strlen(texts[i].key) + 1 + strlen(texts[i].text);
        o.data = malloc(size);
        o.capacity = size;
        if (!o.data) o.failed = 1;

        static const uint8_t signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
        put(&o, signature, 8);
        uint8_t header[13];
        uint32_t fields[2] = {image->width, image->height};
        for (int f = 0; f < 2; f++)
            for (int k = 0; k < 4; k++) header[4 * f + k] = (uint8_t)(fields[f] >> (24 - 8 * k));
        header[8] = (uint8_t)image->bit_depth;
        header[9] = color_types[image->channels];
        header[10] = header[11] = header[12] = 0; /* deflate, adaptive filters, no interlace */
        put_chunk(&o, "IHDR", header, 13);
        for (int i = 0; i < text_count; i++) {
            size_t key = strlen(texts[i].key), text = strlen(texts[i].text);
            uint8_t *chunk = malloc(key + 1 + text);
            if (!chunk) {
                o.failed = 1;
                break;
            }
            memcpy(chunk, texts[i].key, key + 1);
            memcpy(chunk + key + 1, texts[i].text, text);
            put_chunk(&o, "tEXt", chunk, key + 1 + text);
            free(chunk);
        }
        /* The stream's pieces in order: header, bands, Adler-32; `piece` and `offset` say
           where the next IDAT chunk's bytes start. */
        uint32_t pieces = job.bands + 2, piece = 0;
        size_t offset = 0;
        for (size_t from = 0; from < total && !o.failed; from += IDAT_BYTES) {
            size_t length = total - from < IDAT_BYTES ? total - from : IDAT_BYTES;
            put32(&o, (uint32_t)length);
            size_t typed = o.length;
            put(&o, "IDAT", 4);
            for (size_t left = length; left > 0 && !o.failed;) {
                const uint8_t *bytes = piece == 0 ? zlib_head
                                       : piece + 1 == pieces ? zlib_tail
                                                             : job.band_out[piece - 1];
                size_t piece_length = piece == 0            ? sizeof zlib_head
                                      : piece + 1 == pieces ? sizeof zlib_tail
                                                            : job.band_length[piece - 1];
                size_t take = piece_length - offset < left ? piece_length - offset : left;
                put(&o, bytes + offset, take);
                left -= take;
                offset += take;
                if (offset == piece_length) {
                    piece++;
                    offset = 0;
                }
            }
            if (!o.failed) put32(&o, (uint32_t)crc32(0, o.data + typed, (uInt)(length + 4)));
        }
        put_chunk(&o, "IEND", NULL, 0);
    }
    if (job.band_out)
        for (uint32_t b = 0; b < job.bands; b++) free(job.band_out[b]);
    free(job.band_out);
    free(job.band_length);
    free(job.band_adler);
    if (job.failed || o.failed) {
        free(o.data);
        goto out_of_memory;
    }
    *out_data = o.data;
    *out_length = o.length;
    return CODEC_OK;

out_of_memory:
    snprintf(error, CODEC_ERROR_LENGTH, "out of memory while encoding the PNG");
    return CODEC_OUT_OF_MEMORY;
}
