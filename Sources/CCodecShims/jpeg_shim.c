#include "codec_shims.h"
#include <stdio.h>
#include <jpeglib.h>
#include <jerror.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char *error;
    volatile int status; /* what the setjmp branch returns */
} jpeg_error_context;

static void on_error_exit(j_common_ptr info) {
    jpeg_error_context *context = (jpeg_error_context *)info->err;
    char message[JMSG_LENGTH_MAX];
    (*info->err->format_message)(info, message);
    snprintf(context->error, CODEC_ERROR_LENGTH, "%s", message);
    longjmp(context->jump, 1);
}

/* Each progressive scan walks every block of the image, however few bytes it takes, and
   libjpeg accepts repeated scans: a 350 KB file of 2000 empty scans over 100 megapixels
   decoded for a minute. Encoders write at most a few dozen scans (libjpeg's default
   progression 10, a full successive-approximation script ~70 per component), so 100
   costs honest files nothing and bounds the work at 100 passes over the pixels. libjpeg
   calls the monitor at least once per scan, before consuming it. */
static void on_progress(j_common_ptr info) {
    j_decompress_ptr decompress = (j_decompress_ptr)info;
    if (decompress->input_scan_number > JPEG_SHIM_MAX_SCANS) {
        jpeg_error_context *context = (jpeg_error_context *)info->err;
        snprintf(context->error, CODEC_ERROR_LENGTH,
                 "JPEG has more than %d scans, the limit (encoders write a few dozen at most); "
                 "re-save it as baseline JPEG or PNG",
                 JPEG_SHIM_MAX_SCANS);
        context->status = CODEC_UNSUPPORTED;
        longjmp(context->jump, 1);
    }
}

/* libjpeg treats a premature end of data as a warning and pads with gray; we refuse
   such files instead of rendering half a photo. */
static void on_emit_message(j_common_ptr info, int level) {
    if (level < 0 && info->err->msg_code == JWRN_JPEG_EOF) {
        jpeg_error_context *context = (jpeg_error_context *)info->err;
        snprintf(context->error, CODEC_ERROR_LENGTH, "file is truncated");
        context->status = CODEC_CORRUPT;
        longjmp(context->jump, 1);
    }
}

int jpeg_shim_decode(const uint8_t *data, size_t length, uint64_t max_pixels,
                     codec_image *out, char *error) {
    memset(out, 0, sizeof(*out));
    if (length < 3 || data[0] != 0xFF || data[1] != 0xD8 || data[2] != 0xFF) {
        snprintf(error, CODEC_ERROR_LENGTH, "not a JPEG file (bad signature)");
        return CODEC_NOT_THIS_FORMAT;
    }
    struct jpeg_decompress_struct info;
    jpeg_error_context context;
    info.err = jpeg_std_error(&context.base);
    context.base.error_exit = on_error_exit;
    context.base.emit_message = on_emit_message;
    context.error = error;
    context.status = CODEC_CORRUPT;
    struct jpeg_progress_mgr progress = {0};
    progress.progress_monitor = on_progress;
    uint8_t *volatile pixels = NULL;
    uint8_t *volatile scratch = NULL;
    if (setjmp(context.jump)) {
        free(pixels);
        free(scratch);
        jpeg_destroy_decompress(&info);
        return context.status;
    }
    jpeg_create_decompress(&info);
    info.progress = &progress;
    jpeg_mem_src(&info, data, (unsigned long)length);
    jpeg_read_header(&info, TRUE);
    if ((uint64_t)info.image_width * info.image_height > max_pixels) {
        snprintf(error, CODEC_ERROR_LENGTH, "image is %ux%u, over the limit of %llu pixels",
                 info.image_width, info.image_height, (unsigned long long)max_pixels);
        context.status = CODEC_TOO_LARGE;
        longjmp(context.jump, 1);
    }
    int cmyk = info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK;
    if (cmyk) {
        info.out_color_space = JCS_CMYK;
    } else if (info.num_components == 1) {
        info.out_color_space = JCS_GRAYSCALE;
    } else {
        info.out_color_space = JCS_RGB;
    }
    jpeg_start_decompress(&info);
    uint32_t width = info.output_width, height = info.output_height;
    uint32_t channels = cmyk ? 3 : (uint32_t)info.output_components;
    size_t row_in = (size_t)width * info.output_components;
    pixels = malloc((size_t)width * height * channels);
    scratch = malloc(row_in);
    if (!pixels || !scratch) {
        snprintf(error, CODEC_ERROR_LENGTH, "out of memory for %ux%u pixels", width, height);
        context.status = CODEC_OUT_OF_MEMORY;
        longjmp(context.jump, 1);
    }
    /* Photoshop writes CMYK inverted (Adobe marker); then 255 means no ink. */
    int inverted = info.saw_Adobe_marker;
    while (info.output_scanline < height) {
        uint32_t y = info.output_scanline;
        JSAMPROW row = cmyk ? scratch : pixels + (size_t)y * width * channels;
        jpeg_read_scanlines(&info, &row, 1);
        if (cmyk) {
            uint8_t *target = pixels + (size_t)y * width * 3;
            for (uint32_t x = 0; x < width; x++) {
                int c = scratch[4 * x], m = scratch[4 * x + 1], yy = scratch[4 * x + 2], k = scratch[4 * x + 3];
                if (!inverted) { c = 255 - c; m = 255 - m; yy = 255 - yy; k = 255 - k; }
                target[3 * x] = (uint8_t)(c * k / 255);
                target[3 * x + 1] = (uint8_t)(m * k / 255);
                target[3 * x + 2] = (uint8_t)(yy * k / 255);
            }
        }
    }
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    free(scratch);
    out->width = width;
    out->height = height;
    out->channels = channels;
    out->bit_depth = 8;
    out->pixels = pixels;
    return CODEC_OK;
}

int jpeg_shim_encode(const codec_image *image, int quality, uint8_t **out_data,
                     unsigned long *out_length, char *error) {
    *out_data = NULL;
    *out_length = 0;
    if ((image->channels != 1 && image->channels != 3) || image->bit_depth != 8) {
        snprintf(error, CODEC_ERROR_LENGTH, "JPEG takes 8-bit gray or RGB, not %u channels at %u bits",
                 image->channels, image->bit_depth);
        return CODEC_UNSUPPORTED;
    }
    struct jpeg_compress_struct info;
    jpeg_error_context context;
    info.err = jpeg_std_error(&context.base);
    context.base.error_exit = on_error_exit;
    context.error = error;
    unsigned char *volatile buffer = NULL;
    unsigned long size = 0;
    if (setjmp(context.jump)) {
        jpeg_destroy_compress(&info);
        free(buffer);
        return CODEC_CORRUPT;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, (unsigned char **)&buffer, &size);
    info.image_width = image->width;
    info.image_height = image->height;
    info.input_components = (int)image->channels;
    info.in_color_space = image->channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    size_t stride = (size_t)image->width * image->channels;
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (uint8_t *)image->pixels + info.next_scanline * stride;
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    *out_data = buffer;
    *out_length = size;
    return CODEC_OK;
}
