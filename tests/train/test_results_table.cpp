// test_results_table.cpp — the results table: formatting, markdown, CSV
// quoting (RFC 4180) and reading the CSV back.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "tensor/error.hpp"
#include "train/results_table.hpp"

using namespace ember;

TEST_CASE("numbers take their column's decimals; integers and text stay as given") {
  train::ResultsTable t({"model", {"accuracy", 4}, {"epochs", 0}, {"loss", -1}});
  t.add_row({"cnn1", 0.91234, 3, 0.25});
  t.add_row({"cnn7", 0.9, int64_t{50}, std::nan("")});
  t.add_row({"mlp", std::optional<double>{}, 1, -0.0000001});
  CHECK(t.text(0, 1) == "0.9123");
  CHECK(t.text(1, 1) == "0.9000");  // same digits in every row
  CHECK(t.text(0, 2) == "3");
  CHECK(t.text(1, 2) == "50");
  CHECK(t.text(0, 3) == "0.25");
  CHECK(t.text(1, 3) == "nan");
  CHECK(t.text(2, 1) == "");        // not there
  CHECK(t.text(2, 3) == "-1e-07");
  CHECK(t.number(0, 1) == doctest::Approx(0.9123));
  CHECK(t.column("epochs") == 2);
  CHECK_THROWS_AS(t.number(0, 0), ValueError);  // "cnn1"
  CHECK_THROWS_AS(t.number(2, 1), ValueError);  // empty
  CHECK_THROWS_AS(t.column("nope"), ValueError);
  CHECK_THROWS_AS(t.text(3, 0), IndexError);
  CHECK_THROWS_AS(t.add_row({"too", "few"}), ValueError);
  train::ResultsTable z({{"x", 2}});
  z.add_row({-0.001});
  CHECK(z.text(0, 0) == "0.00");  // no "-0.00"
}

TEST_CASE("markdown: a GitHub table, numbers right-aligned, pipes escaped") {
  train::ResultsTable t({"what", {"value", 2}});
  t.add_row({"a | b", 1.0});
  t.add_row({"two\nlines", std::optional<double>{}});
  CHECK(t.markdown() ==
        "| what | value |\n"
        "|---|---:|\n"
        "| a \\| b | 1.00 |\n"
        "| two lines |  |\n");
}

TEST_CASE("CSV: RFC 4180 quoting, and it reads back equal") {
  train::ResultsTable t({"what", {"reported", 3}, "note"});
  t.add_row({"plain", 0.5, ""});
  t.add_row({"a, comma", 1.25, "say \"hi\""});
  t.add_row({"two\nlines", std::optional<double>{}, " padded "});
  const std::string csv = t.csv();
  CHECK(csv ==
        "what,reported,note\n"
        "plain,0.500,\n"
        "\"a, comma\",1.250,\"say \"\"hi\"\"\"\n"
        "\"two\nlines\",,\" padded \"\n");
  const train::ResultsTable back = train::ResultsTable::parse_csv(csv);
  REQUIRE(back.num_columns() == 3);
  REQUIRE(back.num_rows() == 3);
  for (size_t r = 0; r < 3; ++r)
    for (size_t c = 0; c < 3; ++c) CHECK(back.text(r, c) == t.text(r, c));
  CHECK(back.columns()[2].name == "note");
  CHECK(back.number(1, 1) == 1.25);
  CHECK(back.csv() == csv);  // and writes the same text again

  // Windows line ends, no line break at the end, blank lines at the end.
  const train::ResultsTable crlf = train::ResultsTable::parse_csv("a,b\r\n1,\"x\r\ny\"\r\n2,3");
  REQUIRE(crlf.num_rows() == 2);
  CHECK(crlf.text(0, 1) == "x\r\ny");
  CHECK(crlf.number(1, 1) == 3.0);
  CHECK(train::ResultsTable::parse_csv("a\n1\n\n\n").num_rows() == 1);

  // Malformed CSV names the line.
  CHECK_THROWS_WITH_AS(train::ResultsTable::parse_csv("a,b\n1,2\n3\n", "t.csv"),
                       doctest::Contains("t.csv:3: 1 fields; the header has 2"), DataError);
  CHECK_THROWS_WITH_AS(train::ResultsTable::parse_csv("a\n\"open\n", "t.csv"),
                       doctest::Contains("not closed"), DataError);
  CHECK_THROWS_WITH_AS(train::ResultsTable::parse_csv("a\nx\"y\n", "t.csv"),
                       doctest::Contains("t.csv:2: a quote inside an unquoted field"), DataError);
  CHECK_THROWS_WITH_AS(train::ResultsTable::parse_csv("a\n\"x\"y\n", "t.csv"),
                       doctest::Contains("after the closing quote"), DataError);
  CHECK_THROWS_AS(train::ResultsTable::parse_csv(""), DataError);
}

TEST_CASE("files: write_markdown and write_csv, read_csv") {
  const auto dir = std::filesystem::temp_directory_path() / "ember_test_results_table";
  std::filesystem::create_directories(dir);
  train::ResultsTable t({"k", {"v", 1}});
  t.add_row({"x", 2.0});
  t.write_markdown((dir / "r.md").string());
  t.write_csv((dir / "r.csv").string());
  std::ifstream md(dir / "r.md");
  std::stringstream s;
  s << md.rdbuf();
  CHECK(s.str() == t.markdown());
  CHECK(train::ResultsTable::read_csv((dir / "r.csv").string()).number(0, 1) == 2.0);
  CHECK_THROWS_AS(train::ResultsTable::read_csv((dir / "none.csv").string()), DataError);
  std::filesystem::remove_all(dir);
}

TEST_CASE("comparison_table: reported beside measured, and their difference") {
  const train::ResultsTable t = train::comparison_table(
      {{"val accuracy", 0.888, 0.9147, "50 epochs there, 3 here"},
       {"test accuracy", std::nullopt, 0.911},
       {"params", 887530.0, 887530.0}},
      4);
  REQUIRE(t.num_columns() == 5);
  CHECK(t.columns()[0].name == "what");
  CHECK(t.columns()[4].name == "note");
  CHECK(t.text(0, 1) == "0.8880");
  CHECK(t.text(0, 2) == "0.9147");
  CHECK(t.text(0, 3) == "0.0267");
  CHECK(t.text(1, 1) == "");
  CHECK(t.text(1, 3) == "");  // no difference without both figures
  CHECK(t.text(2, 3) == "0.0000");
  CHECK(train::comparison_table({{"x", 1.0, 2.0}}).num_columns() == 4);  // no notes, no column
}
