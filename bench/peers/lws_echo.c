/* Echo server on libwebsockets, a peer for wsbench-conformance; not part of the product.
 * Reassembles each message (up to 64 MiB) and writes it back whole from the writeable
 * callback, as lws requires. Prints the readiness line wsbench-echo-server prints.
 *   gcc lws_echo.c $(pkg-config --cflags --libs libwebsockets) -o lws_echo
 *   ./lws_echo PORT
 */
#include <libwebsockets.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct session {
    unsigned char* buf; /* LWS_PRE bytes of headroom, then the message */
    size_t len, cap;
    int binary;
    int pending; /* a whole message waits to be written */
};

static volatile int stop;

static int callback(struct lws* wsi, enum lws_callback_reasons reason, void* user, void* in,
                    size_t len) {
    struct session* s = (struct session*)user;
    switch (reason) {
        case LWS_CALLBACK_ESTABLISHED:
            memset(s, 0, sizeof *s);
            break;
        case LWS_CALLBACK_RECEIVE:
            if (s->pending) return -1; /* one message at a time is enough for the suite */
            if (lws_is_first_fragment(wsi)) {
                s->len = 0;
                s->binary = lws_frame_is_binary(wsi);
            }
            if (LWS_PRE + s->len + len > s->cap) {
                size_t cap = (LWS_PRE + s->len + len) * 2;
                if (cap > (size_t)64 << 20) return -1;
                unsigned char* b = realloc(s->buf, cap);
                if (!b) return -1;
                s->buf = b;
                s->cap = cap;
            }
            memcpy(s->buf + LWS_PRE + s->len, in, len);
            s->len += len;
            if (lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi)) {
                s->pending = 1;
                lws_callback_on_writable(wsi);
            }
            break;
        case LWS_CALLBACK_SERVER_WRITEABLE:
            if (s->pending) {
                s->pending = 0;
                if (lws_write(wsi, s->buf + LWS_PRE, s->len,
                              s->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT) < (int)s->len)
                    return -1;
            }
            break;
        case LWS_CALLBACK_CLOSED:
            free(s->buf);
            s->buf = NULL;
            break;
        default:
            break;
    }
    return 0;
}

static void on_signal(int sig) {
    (void)sig;
    stop = 1;
}

int main(int argc, char** argv) {
    static struct lws_protocols protocols[] = {
        {"echo", callback, sizeof(struct session), 65536, 0, NULL, 0},
        {NULL, NULL, 0, 0, 0, NULL, 0}};
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = argc > 1 ? atoi(argv[1]) : 9002;
    info.iface = "127.0.0.1";
    info.protocols = protocols;
    /* UTF-8 checking is off in libwebsockets unless asked for (RFC 6455 8.1 requires it). */
    info.options = LWS_SERVER_OPTION_VALIDATE_UTF8;
    lws_set_log_level(LLL_ERR, NULL);
    struct lws_context* ctx = lws_create_context(&info);
    if (!ctx) {
        fprintf(stderr, "lws_echo: cannot create the context\n");
        return 3;
    }
    printf("listening on ws://127.0.0.1:%d\n", info.port);
    fflush(stdout);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    while (!stop && lws_service(ctx, 0) >= 0) {
    }
    lws_context_destroy(ctx);
    return 0;
}
