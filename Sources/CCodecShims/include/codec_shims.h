#ifndef CODEC_SHIMS_H
#define CODEC_SHIMS_H
#include <stddef.h>
#include <stdint.h>

/* Every function returns 0 on success, or a non-zero code with a message in `error`
   (at most CODEC_ERROR_LENGTH bytes, NUL terminated). Buffers handed out are freed
   with codec_free. No function ever longjmps out to its caller. */

#define CODEC_ERROR_LENGTH 256

enum codec_status {
    CODEC_OK = 0,
    CODEC_NOT_THIS_FORMAT = 1,
    CODEC_CORRUPT = 2,
    CODEC_TOO_LARGE = 3,
    CODEC_UNSUPPORTED = 4,
    CODEC_OUT_OF_MEMORY = 5,
};

typedef struct {
    uint32_t width;
    uint32_t height;
    uint32_t channels;   /* 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA */
    uint32_t bit_depth;  /* 8 or 16; 16-bit samples are native-endian uint16 */
    void *pixels;        /* interleaved rows, width * channels samples each */
} codec_image;

typedef struct {
    const char *key;
    const char *text;
} codec_text;

void codec_free(void *pointer);

/* PNG: every color type and depth; palette and tRNS expand to RGB(A), gray below 8 bits
   widens to 8, interlaced images are deinterlaced. Refuses more than max_pixels pixels
   before allocating them. */
int png_shim_decode(const uint8_t *data, size_t length, uint64_t max_pixels,
                    codec_image *out, char *error);

/* Planar float samples (`channels` planes of `plane_size`) to interleaved 8- or 16-bit
   samples for pixels from..<to: clamped to [0, 1] (NaN to 0), times 255 or 65535, plus
   0.5, truncated (rounding half up without a libm call). `out` is the whole interleaved
   buffer (pixel i's samples at i * channels). */
void codec_quantize(const float *planes, size_t plane_size, uint32_t channels, uint32_t bit_depth, size_t from,
                    size_t to, void *out);

/* One row's PNG filtering, as png_shim_encode_planes does it: the filter type byte, then `n`
   filtered bytes, into `out` (n + 1 bytes). `prior` is the row above (zeros for the
   first row), `bpp` the bytes per pixel. png_filter_row runs the AVX2 build when the CPU
   has it, else the baseline one; the reference is the plain scalar form. All give the
   same bytes (exported for the tests that check it; the AVX2 one only where supported). */
void png_filter_row(const uint8_t *row, const uint8_t *prior, size_t n, size_t bpp, uint8_t *out);
void png_filter_row_baseline(const uint8_t *row, const uint8_t *prior, size_t n, size_t bpp, uint8_t *out);
void png_filter_row_avx2(const uint8_t *row, const uint8_t *prior, size_t n, size_t bpp, uint8_t *out);
int png_filter_row_avx2_supported(void);
void png_filter_row_reference(const uint8_t *row, const uint8_t *prior, size_t n, size_t bpp, uint8_t *out);

/* Writes an 8- or 16-bit PNG with optional tEXt chunks from float planes (`channels`
   planes of width * height, Image's layout), quantized as codec_quantize does; rows are
   quantized, filtered and deflated in bands on `workers` threads, and the bytes do not
   depend on `workers`. */
int png_shim_encode_planes(const float *planes, uint32_t width, uint32_t height, uint32_t channels,
                           uint32_t bit_depth, const codec_text *texts, int text_count, int workers,
                           uint8_t **out_data, size_t *out_length, char *error);

/* Reads the tEXt/zTXt/iTXt value for `key`; *out_text is NULL when absent. When it is
   absent and libpng dropped a text chunk (bad CRC, size or count limits), `error` holds
   libpng's warning (like "tEXt: CRC error"); otherwise it is left empty. */
int png_shim_read_text(const uint8_t *data, size_t length, const char *key,
                       char **out_text, char *error);

/* Progressive JPEGs with more scans are refused (CODEC_UNSUPPORTED) before decoding
   the extra ones: each scan costs a pass over every pixel. */
#define JPEG_SHIM_MAX_SCANS 100

/* JPEG: baseline and progressive, gray and color; CMYK/YCCK converted to RGB.
   Output is 8-bit gray or RGB. */
int jpeg_shim_decode(const uint8_t *data, size_t length, uint64_t max_pixels,
                     codec_image *out, char *error);

int jpeg_shim_encode(const codec_image *image, int quality, uint8_t **out_data,
                     unsigned long *out_length, char *error);

#endif
