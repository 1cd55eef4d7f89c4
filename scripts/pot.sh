#!/usr/bin/env bash
# make pot: upgrade sputnik_crm in database $DB, export its terms to
# sputnik_crm/i18n/sputnik_crm.pot and merge them into uk.po (new terms appear
# untranslated there; the test suite fails until they are translated).
source "$(dirname "$0")/devenv.sh"

ensure_venv
ensure_odoo
ensure_postgres
odoo_common_args
command -v msgmerge >/dev/null || die "msgmerge not found: install gettext"

install_or_upgrade "$DB"
pot=$ROOT/sputnik_crm/i18n/sputnik_crm.pot
"${ODOO_BIN[@]}" "${ODOO_ARGS[@]}" -d "$DB" --modules=sputnik_crm --i18n-export="$pot" \
    --stop-after-init --no-http --log-level=warn
if [ -f "$ROOT/sputnik_crm/i18n/uk.po" ]; then
    msgmerge --quiet --update --no-fuzzy-matching --backup=none "$ROOT/sputnik_crm/i18n/uk.po" "$pot"
    msgattrib --no-obsolete "$ROOT/sputnik_crm/i18n/uk.po" -o "$ROOT/sputnik_crm/i18n/uk.po"
else
    cp "$pot" "$ROOT/sputnik_crm/i18n/uk.po"
fi
say "exported $pot and merged it into uk.po: $(msgfmt --statistics -o /dev/null "$ROOT/sputnik_crm/i18n/uk.po" 2>&1)"
