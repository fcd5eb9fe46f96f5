// Every scenario file in examples/ loads: the examples docs/scenarios.md points to stay valid.
#include <gtest/gtest.h>

#include <filesystem>

#include "wsbench/scenario/loader.hpp"

namespace wsb::scenario {
namespace {

TEST(Examples, EveryExampleScenarioLoads) {
    const std::filesystem::path dir = std::filesystem::path(WSBENCH_SOURCE_DIR) / "examples";
    int loaded = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::string ext = entry.path().extension().string();
        if (ext != ".yaml" && ext != ".json") continue;
        try {
            const Scenario s = load_scenario(entry.path().string());
            EXPECT_FALSE(s.program.empty()) << entry.path();
            ++loaded;
        } catch (const ScenarioError& e) {
            ADD_FAILURE() << e.what();
        }
    }
    EXPECT_GE(loaded, 3);
}

}  // namespace
}  // namespace wsb::scenario
