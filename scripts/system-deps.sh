#!/bin/sh
# Check the system libraries and tools letters needs; as root on Debian or Ubuntu, install what
# is missing with apt-get, otherwise stop with one line saying what to install.
#   scripts/system-deps.sh run    WeasyPrint's libraries: Pango, and HarfBuzz's subsetter
#                                 (without it PDFs are ~2x slower and differ on every run)
#   scripts/system-deps.sh test   also what the tests use: LibreOffice, its fonts and its Python bridge
#                                 (the DOCX layout test, a review made in LibreOffice),
#                                 libfaketime (reproducibility), Chromium and Node.js (axe-core)
set -eu

missing=""
need_lib() {  # library-soname debian-package
    if ! { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q "$1"; then
        missing="$missing $2"
    fi
}
need_cmd() {  # command debian-package
    command -v "$1" >/dev/null 2>&1 || missing="$missing $2"
}
need_file() {  # path debian-package
    [ -e "$1" ] || missing="$missing $2"
}

case "$(uname -s)" in
    Darwin)
        # Homebrew's pango brings HarfBuzz with its subsetter.
        command -v brew >/dev/null 2>&1 && brew list pango >/dev/null 2>&1 && exit 0
        echo "letters needs Pango: run 'brew install pango'" >&2
        exit 1 ;;
esac

need_lib libpango-1.0.so.0 libpango-1.0-0
need_lib libpangoft2-1.0.so.0 libpangoft2-1.0-0
need_lib libharfbuzz-subset.so.0 libharfbuzz-subset0
if [ "${1:-run}" = test ]; then
    need_cmd soffice libreoffice-writer-nogui
    # LibreOffice's Python bridge, for scripts/review_in_libreoffice.py (tests/test_review_libreoffice.py)
    need_file /usr/lib/python3/dist-packages/uno.py python3-uno
    need_file /usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf fonts-liberation2
    need_cmd faketime faketime
    need_cmd chromium chromium
    need_cmd npm "nodejs npm"
fi

[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing system packages:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    log=$(mktemp)
    # shellcheck disable=SC2086
    if apt-get update -qq >"$log" 2>&1 && apt-get install -y -qq --no-install-recommends $missing >>"$log" 2>&1; then
        rm -f "$log"
        exit 0
    fi
    cat "$log" >&2
    echo "apt-get could not install:$missing" >&2
    exit 1
fi
echo "letters needs system packages that are missing; install them with: sudo apt-get install$missing" >&2
exit 1
