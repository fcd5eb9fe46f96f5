// A client-conformance driver on Qt5's QWebSocket (issue 7), the loop of Autobahn's testee
// clients: /getCaseCount, /runCase for every case as an echo client, then /updateReports.
// Not part of the product.
//   g++ -std=c++17 -fPIC qt_client.cpp $(pkg-config --cflags --libs Qt5WebSockets) -o qt_client
//   ./qt_client ws://HOST:PORT AGENT [-v]
// Library defaults throughout: QWebSocket answers pings and the server's close frame itself,
// and fails the connection when the server breaks the protocol.
#include <QCoreApplication>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>
#include <cstdio>
#include <functional>
#include <memory>

namespace {

bool verbose = false;

/// Opens `url`; echoes every message with its type when `echo` is set; once the socket is
/// unconnected again (closed, dropped, or refused during the handshake) calls `done` with the
/// last text received, from the event loop.
void run_one(const QString& url, bool echo, std::function<void(const QString&)> done) {
    auto* ws = new QWebSocket();
    auto last = std::make_shared<QString>();
    auto finished = std::make_shared<bool>(false);
    QObject::connect(ws, &QWebSocket::textMessageReceived, ws, [ws, echo, last](const QString& m) {
        if (echo) {
            ws->sendTextMessage(m);
        } else {
            *last = m;
        }
    });
    QObject::connect(ws, &QWebSocket::binaryMessageReceived, ws, [ws, echo](const QByteArray& m) {
        if (echo) ws->sendBinaryMessage(m);
    });
    QObject::connect(ws, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error), ws,
                     [ws, url](QAbstractSocket::SocketError) {
                         if (verbose) {
                             std::fprintf(stderr, "%s: %s\n", url.toUtf8().constData(),
                                          ws->errorString().toUtf8().constData());
                         }
                     });
    QObject::connect(ws, &QWebSocket::stateChanged, ws,
                     [ws, last, finished, done](QAbstractSocket::SocketState s) {
                         if (s != QAbstractSocket::UnconnectedState || *finished) return;
                         *finished = true;
                         ws->deleteLater();
                         // Not from inside the socket's own signal: the next case opens a
                         // new socket once this one has unwound.
                         QTimer::singleShot(0, [done, last] { done(*last); });
                     });
    ws->open(QUrl(url));
}

}  // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    if (argc < 3) {
        std::fprintf(stderr, "usage: qt_client ws://HOST:PORT AGENT [-v]\n");
        return 2;
    }
    const QString base = QString::fromUtf8(argv[1]);
    const QString agent = QString::fromUtf8(QUrl::toPercentEncoding(QString::fromUtf8(argv[2])));
    verbose = argc > 3 && QString::fromUtf8(argv[3]) == QStringLiteral("-v");
    int count = 0;
    // Case n, then n + 1, ..., then /updateReports; each step starts from the previous one's
    // completion.
    std::function<void(int)> run_case = [&](int n) {
        if (n > count) {
            run_one(base + "/updateReports?agent=" + agent, false,
                    [&](const QString&) { app.exit(count > 0 ? 0 : 1); });
            return;
        }
        run_one(base + "/runCase?case=" + QString::number(n) + "&agent=" + agent, true,
                [&, n](const QString&) { run_case(n + 1); });
    };
    run_one(base + "/getCaseCount", false, [&](const QString& text) {
        count = text.toInt();
        run_case(1);
    });
    const int rc = app.exec();
    std::printf("ran %d cases\n", count);
    return rc;
}
