# WSBENCH_SANITIZE takes a comma-separated list: "address,undefined" or "thread".
if(WSBENCH_SANITIZE)
    string(REPLACE "," ";" _wsb_sanitizers "${WSBENCH_SANITIZE}")
    foreach(_san IN LISTS _wsb_sanitizers)
        if(NOT _san MATCHES "^(address|undefined|thread|leak)$")
            message(FATAL_ERROR "WSBENCH_SANITIZE: unknown sanitizer '${_san}' "
                                "(expected address, undefined, thread or leak)")
        endif()
    endforeach()
    if("thread" IN_LIST _wsb_sanitizers AND "address" IN_LIST _wsb_sanitizers)
        message(FATAL_ERROR "WSBENCH_SANITIZE: 'thread' cannot be combined with 'address'")
    endif()
    string(REPLACE ";" "," _wsb_san_flag "${_wsb_sanitizers}")
    message(STATUS "wsbench: sanitizers ${_wsb_san_flag}")
    add_compile_options(-fsanitize=${_wsb_san_flag} -fno-omit-frame-pointer -g)
    if("undefined" IN_LIST _wsb_sanitizers)
        add_compile_options(-fno-sanitize-recover=undefined)
    endif()
    add_link_options(-fsanitize=${_wsb_san_flag})
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
        # GCC's flow analysis under sanitizer instrumentation reports uninitialised reads
        # inside libstdc++ (std::regex, std::function) that are not there.
        add_compile_options(-Wno-maybe-uninitialized)
        if("thread" IN_LIST _wsb_sanitizers)
            # Asio's atomic_thread_fence calls draw -Wtsan; TSan still sees the atomics.
            add_compile_options(-Wno-tsan)
        endif()
    endif()
endif()
