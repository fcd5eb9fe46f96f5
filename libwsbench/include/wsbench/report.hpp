// Everything report writers share: the envelope and timestamps (wsbench/report/envelope.hpp)
// and atomic report files and markup escaping (wsbench/report/write.hpp).
#pragma once

#include "wsbench/report/envelope.hpp"
#include "wsbench/report/write.hpp"
