// Echo server on Qt5's QWebSocketServer, a peer for wsbench-conformance; not part of the
// product. Prints the readiness line wsbench-echo-server prints.
//   g++ -std=c++17 -fPIC qt_echo.cpp $(pkg-config --cflags --libs Qt5WebSockets) -o qt_echo
//   ./qt_echo [port]
#include <QCoreApplication>
#include <QHostAddress>
#include <QWebSocket>
#include <QWebSocketServer>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QWebSocketServer server(QStringLiteral("qt-echo"), QWebSocketServer::NonSecureMode);
    server.setMaxPendingConnections(1000);
    const quint16 port = argc > 1 ? static_cast<quint16>(std::atoi(argv[1])) : 0;
    if (!server.listen(QHostAddress::LocalHost, port)) {
        std::fprintf(stderr, "qt_echo: cannot listen: %s\n",
                     server.errorString().toUtf8().constData());
        return 3;
    }
    std::printf("listening on ws://127.0.0.1:%u\n", static_cast<unsigned>(server.serverPort()));
    std::fflush(stdout);
    QObject::connect(&server, &QWebSocketServer::newConnection, [&server] {
        while (QWebSocket* s = server.nextPendingConnection()) {
            QObject::connect(s, &QWebSocket::textMessageReceived, s,
                             [s](const QString& m) { s->sendTextMessage(m); });
            QObject::connect(s, &QWebSocket::binaryMessageReceived, s,
                             [s](const QByteArray& m) { s->sendBinaryMessage(m); });
            QObject::connect(s, &QWebSocket::disconnected, s, &QObject::deleteLater);
        }
    });
    return app.exec();
}
