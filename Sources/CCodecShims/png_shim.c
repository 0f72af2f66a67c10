#include "codec_shims.h"
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

/* The full libpng API rather than png_image_*: the simplified API can neither keep
   16-bit sRGB samples (it linearises them) nor write tEXt chunks, and we need both. */

void codec_free(void *pointer) { free(pointer); }

typedef struct {
    jmp_buf jump;
    char *error;
    const uint8_t *data;
    size_t length;
    size_t offset;
    uint64_t idat_bytes;
    uint64_t idat_limit; /* 0: no limit */
} png_context;

/* Ancillary chunks cost memory and inflate time but carry nothing we draw: an image of a
   few KB could hold 1000 zTXt chunks of 8 MB each (libpng's defaults). Decoding skips
   them all; reading settings keeps only text chunks, this many of this size. */
enum { TEXT_CHUNKS_MAX = 64, CHUNK_BYTES_MAX = 1 << 20 };

static void on_error(png_structp png, png_const_charp message) {
    png_context *context = (png_context *)png_get_error_ptr(png);
    snprintf(context->error, CODEC_ERROR_LENGTH, "%s", message);
    longjmp(context->jump, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
    (void)png; (void)message; /* benign (e.g. bad iCCP profiles); not worth failing on */
}

/* Reading text: every ancillary chunk but the text ones is skipped unread, and those are
   kept within the limits above (libpng drops the rest with a warning). */
static void limit_to_text_chunks(png_structp png) {
    png_set_chunk_cache_max(png, TEXT_CHUNKS_MAX);
    png_set_chunk_malloc_max(png, CHUNK_BYTES_MAX);
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
    static const png_byte text_chunks[] = {'t', 'E', 'X', 't', 0, 'z', 'T', 'X', 't', 0, 'i', 'T', 'X', 't', 0};
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_AS_DEFAULT, text_chunks, 3);
}

static void read_bytes(png_structp png, png_bytep target, png_size_t count) {
    png_context *context = (png_context *)png_get_io_ptr(png);
    if (context->offset + count > context->length) {
        png_error(png, "file is truncated");
    }
    if (context->idat_limit && (png_get_io_state(png) & PNG_IO_CHUNK_DATA) &&
        png_get_io_chunk_type(png) == 0x49444154 /* IDAT */) {
        context->idat_bytes += count;
        if (context->idat_bytes > context->idat_limit) {
            png_error(png, "more compressed image data than the image's size can need");
        }
    }
    memcpy(target, context->data + context->offset, count);
    context->offset += count;
    /* libpng allocates a text chunk's declared length before reading it: a 200-byte file
       declaring a 2 GB tEXt chunk got 2 GB. No chunk can be longer than what is left. */
    if (count == 8 && (png_get_io_state(png) & PNG_IO_CHUNK_HDR)) {
        uint64_t declared = (uint64_t)target[0] << 24 | (uint64_t)target[1] << 16 | (uint64_t)target[2] << 8 | target[3];
        uint64_t left = context->length - context->offset;
        if (declared + 4 > left) {
            char message[96];
            snprintf(message, sizeof message, "a chunk declares %llu bytes, more than the %llu left in the file",
                     (unsigned long long)declared, (unsigned long long)(left >= 4 ? left - 4 : 0));
            png_error(png, message);
        }
    }
}

static int check_signature(const uint8_t *data, size_t length, char *error) {
    if (length < 8 || png_sig_cmp((png_const_bytep)data, 0, 8) != 0) {
        snprintf(error, CODEC_ERROR_LENGTH, "not a PNG file (bad signature)");
        return CODEC_NOT_THIS_FORMAT;
    }
    return CODEC_OK;
}

int png_shim_decode(const uint8_t *data, size_t length, uint64_t max_pixels,
                    codec_image *out, char *error) {
    memset(out, 0, sizeof(*out));
    int status = check_signature(data, length, error);
    if (status) return status;

    png_context context = {0};
    context.error = error;
    context.data = data;
    context.length = length;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &context, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_read_struct(&png, &info, NULL);
        snprintf(error, CODEC_ERROR_LENGTH, "out of memory");
        return CODEC_OUT_OF_MEMORY;
    }
    /* volatile: these change between setjmp and a possible longjmp */
    uint8_t *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    volatile int result = CODEC_CORRUPT;
    if (setjmp(context.jump)) {
        free(pixels);
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        return result;
    }
    png_set_read_fn(png, &context, read_bytes);
    /* We check the pixel count ourselves below (libpng's default limit is 1M x 1M). */
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    png_set_chunk_cache_max(png, TEXT_CHUNKS_MAX);
    png_set_chunk_malloc_max(png, CHUNK_BYTES_MAX);
    /* every ancillary chunk but tRNS is skipped unread (only its CRC is computed) */
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
    png_read_info(png, info);

    png_uint_32 width = png_get_image_width(png, info);
    png_uint_32 height = png_get_image_height(png, info);
    if ((uint64_t)width * (uint64_t)height > max_pixels) {
        snprintf(error, CODEC_ERROR_LENGTH, "image is %ux%u, over the limit of %llu pixels",
                 width, height, (unsigned long long)max_pixels);
        result = CODEC_TOO_LARGE;
        longjmp(context.jump, 1);
    }
    int color_type = png_get_color_type(png, info);
    int bit_depth = png_get_bit_depth(png, info);
    /* After the last row libpng inflates whatever compressed data is left, to check it:
       a 3 MB file holding a 1x1 image and 500 MB of zeros took 4 s. No encoder needs
       more compressed bytes than raw ones (stored blocks add 5 per 64 KB), so the IDAT
       bytes are capped at the raw size (filter bytes and interlace passes included)
       plus a quarter plus 64 KB, which bounds the inflating to the image's own size. */
    uint64_t raw_row = ((uint64_t)width * png_get_channels(png, info) * (uint64_t)bit_depth + 7) / 8 + 1;
    uint64_t raw = raw_row * height + 14 * ((uint64_t)height + 1);
    context.idat_limit = raw + raw / 4 + 65536;
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (bit_depth == 16) png_set_swap(png); /* PNG is big-endian; we hand out native uint16 */
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    int channels = png_get_channels(png, info);
    int depth = png_get_bit_depth(png, info);
    size_t row_bytes = png_get_rowbytes(png, info);
    pixels = malloc(row_bytes * height);
    rows = malloc(sizeof(png_bytep) * height);
    if (!pixels || !rows) {
        snprintf(error, CODEC_ERROR_LENGTH, "out of memory for %ux%u pixels", width, height);
        result = CODEC_OUT_OF_MEMORY;
        longjmp(context.jump, 1);
    }
    for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + y * row_bytes;
    png_read_image(png, rows);
    /* No png_read_end: the pixels are complete and what follows carries nothing we use. */

    out->width = width;
    out->height = height;
    out->channels = (uint32_t)channels;
    out->bit_depth = (uint32_t)depth;
    out->pixels = pixels;
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    return CODEC_OK;
}

/* Reading text: libpng drops a text chunk it cannot keep (bad CRC, or over its size and
   count limits) with only a warning. That warning is kept, so that "no such key" can be
   told apart from "the chunk that may have held it was dropped". */
typedef struct {
    png_context base; /* first: on_error reads the error pointer as a png_context */
    char dropped[CODEC_ERROR_LENGTH];
} text_context;

static void on_text_warning(png_structp png, png_const_charp message) {
    text_context *context = (text_context *)png_get_error_ptr(png);
    int about_text = strncmp(message, "tEXt", 4) == 0 || strncmp(message, "zTXt", 4) == 0 ||
                     strncmp(message, "iTXt", 4) == 0 || strstr(message, "chunk cache") != NULL ||
                     strstr(message, "chunk data is too large") != NULL;
    if (about_text && context->dropped[0] == 0) {
        snprintf(context->dropped, sizeof context->dropped, "%s", message);
    }
}

int png_shim_read_text(const uint8_t *data, size_t length, const char *key, char **out_text,
                       char *error) {
    *out_text = NULL;
    int status = check_signature(data, length, error);
    if (status) return status;
    text_context context = {0};
    context.base.error = error;
    context.base.data = data;
    context.base.length = length;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &context, on_error, on_text_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_read_struct(&png, &info, NULL);
        return CODEC_OUT_OF_MEMORY;
    }
    if (setjmp(context.base.jump)) {
        png_destroy_read_struct(&png, &info, NULL);
        return CODEC_CORRUPT;
    }
    png_set_read_fn(png, &context.base, read_bytes);
    limit_to_text_chunks(png);
    png_read_info(png, info);
    png_textp texts = NULL;
    int count = 0;
    png_get_text(png, info, &texts, &count);
    for (int i = 0; i < count; i++) {
        if (strcmp(texts[i].key, key) == 0) {
            *out_text = strdup(texts[i].text ? texts[i].text : "");
            break;
        }
    }
    if (*out_text == NULL && context.dropped[0] != 0) {
        snprintf(error, CODEC_ERROR_LENGTH, "%s", context.dropped);
    }
    png_destroy_read_struct(&png, &info, NULL);
    return CODEC_OK;
}
