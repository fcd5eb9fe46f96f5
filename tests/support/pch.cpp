// The object the tests' precompiled headers are built with (tests/CMakeLists.txt,
// wsb_test_pch): every unit and integration test reuses them.
