#!/usr/bin/env bash
# Texts of the pages: extract every _() from code and templates, merge into the three
# catalogues, compile. Run after adding or changing a text, then translate the new entries
# in app/translations/{zh_Hans,zh_Hant}/LC_MESSAGES/messages.po and run it again
# (tests/app/web/test_i18n_catalogues.py fails until every text is translated and compiled).
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-pybabel}"
pot="$(mktemp --suffix=.pot)"
trap 'rm -f "$pot"' EXIT
"$PYBABEL" -q extract -F babel.cfg -k _l -k zh -k N_ -k bi -k th --no-location --sort-output -o "$pot" .
"$PYBABEL" -q update -i "$pot" -d app/translations --no-fuzzy-matching --ignore-obsolete
# A fixed header date: the catalogues change only when a text does (fewer merge conflicts;
# on a conflict in them, take either side and run this script again).
sed -i 's/^"POT-Creation-Date: .*"$/"POT-Creation-Date: 2026-01-01 00:00+0000\\n"/' \
    app/translations/*/LC_MESSAGES/messages.po
"$PYBABEL" compile -d app/translations --statistics
