// An echo server on Qt5's QWebSocketServer (Debian's libqt5websockets5-dev), a peer for
// wsbench-client's tests (issue 16). Not part of the product. Prints "listening on
// ws://127.0.0.1:PORT" once it accepts. Behaves as tests/peers/ws_server.js: each message is
// echoed with its type kept; the text "close CODE REASON" makes the server close with that
// code and reason, "ping PAYLOAD" makes it ping first and echo after the pong, and
// "binary TEXT" answers with TEXT's bytes as a binary message.
#include <QCoreApplication>
#include <QHostAddress>
#include <QWebSocket>
#include <QWebSocketServer>
#include <csignal>
#include <cstdio>

namespace {

void on_text(QWebSocket* s, const QString& m) {
    if (m.startsWith(QStringLiteral("close "))) {
        const QString rest = m.mid(6);
        const int space = rest.indexOf(QLatin1Char(' '));
        const QString code = space < 0 ? rest : rest.left(space);
        const QString reason = space < 0 ? QString() : rest.mid(space + 1);
        s->close(static_cast<QWebSocketProtocol::CloseCode>(code.toInt()), reason);
    } else if (m.startsWith(QStringLiteral("ping "))) {
        // Echo once our pong for this ping came back.
        auto* once = new QMetaObject::Connection;
        *once = QObject::connect(s, &QWebSocket::pong, s, [s, m, once](quint64, const QByteArray&) {
            QObject::disconnect(*once);
            delete once;
            s->sendTextMessage(m);
        });
        s->ping(m.mid(5).toUtf8());
    } else if (m.startsWith(QStringLiteral("binary "))) {
        s->sendBinaryMessage(m.mid(7).toUtf8());
    } else {
        s->sendTextMessage(m);
    }
}

}  // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    std::signal(SIGTERM, [](int) { QCoreApplication::quit(); });
    QWebSocketServer server(QStringLiteral("qt-peer"), QWebSocketServer::NonSecureMode);
    if (!server.listen(QHostAddress::LocalHost, 0)) {
        std::fprintf(stderr, "qt_ws_server: cannot listen: %s\n",
                     server.errorString().toUtf8().constData());
        return 3;
    }
    std::printf("listening on ws://127.0.0.1:%u\n", static_cast<unsigned>(server.serverPort()));
    std::fflush(stdout);
    QObject::connect(&server, &QWebSocketServer::newConnection, [&server] {
        while (QWebSocket* s = server.nextPendingConnection()) {
            QObject::connect(s, &QWebSocket::textMessageReceived, s,
                             [s](const QString& m) { on_text(s, m); });
            QObject::connect(s, &QWebSocket::binaryMessageReceived, s,
                             [s](const QByteArray& m) { s->sendBinaryMessage(m); });
            QObject::connect(s, &QWebSocket::disconnected, s, &QObject::deleteLater);
        }
    });
    return app.exec();
}
