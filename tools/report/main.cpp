// wsbench-report: summary, compare, merge and html for wsbench reports; returns the exit code
// (0 ok, 1 regression found, 2 usage error or invalid input, 3 output not written).
#include <iostream>

#include "report/report_cli.hpp"

int main(int argc, char** argv) {
    return wsb::exit_status(wsb::report::run_cli(argc, argv, std::cout, std::cerr));
}
