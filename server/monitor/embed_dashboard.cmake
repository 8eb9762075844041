# Turns the dashboard page into a C++ raw string literal, run at build time:
#   cmake -DINPUT=dashboard.html -DOUTPUT=dashboard_html.inc -P embed_dashboard.cmake
# The page stays a readable HTML file in the source tree; dashboard.cpp includes the literal. The output is
# rewritten only when its content changes, so that an unrelated rebuild does not recompile dashboard.cpp.
if(NOT INPUT OR NOT OUTPUT)
  message(FATAL_ERROR "embed_dashboard.cmake: pass -DINPUT=<html> -DOUTPUT=<inc>")
endif()
file(READ "${INPUT}" html)
# A raw string literal ends at its delimiter, whatever precedes it: the page must not contain it. The
# delimiter is spelled in two pieces here so that this check is the only place that names it.
set(closing ")tern_dashboard")
string(APPEND closing "\"")
string(FIND "${html}" "${closing}" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains ${closing}, which would end the C++ raw string literal early")
endif()
file(WRITE "${OUTPUT}.tmp" "R\"tern_dashboard(${html})tern_dashboard\"\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
