"""Counts in words, with the plural form the number calls for: "1 виїзд",
"3 ночі", "4 вільних місця", "5 вільних місць".

A counted text is one translatable term holding its plural forms separated by
"|", in the order of its language's plural rule: English has two forms (one,
other), Ukrainian three (one, few, many), as in the CLDR plural rules. Each
form carries the number as ``%(count)s``."""

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

SEATS_FREE = _lt("%(count)s free seat|%(count)s free seats")
DEPARTURES = _lt("%(count)s departure|%(count)s departures")
NIGHTS = _lt("%(count)s night|%(count)s nights")


def _english_form(count):
    """one: 1; other: 0, 2, 3, ..."""
    return 0 if count == 1 else 1


def _ukrainian_form(count):
    """one: 1, 21, 31, ... (not 11); few: 2-4, 22-24, ... (not 12-14);
    many: 0, 5-20, 25-30, ..."""
    if count % 10 == 1 and count % 100 != 11:
        return 0
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return 1
    return 2


# language (the code before "_") -> (number of forms, rule giving a form's index)
PLURAL_RULES = {"uk": (3, _ukrainian_form)}
DEFAULT_RULE = (2, _english_form)


def choose_form(lang, forms, count):
    """The form of ``forms`` ("one|other" or "one|few|many") that ``count``
    takes in ``lang``, with the number in it. Forms that do not fit the
    language's rule (a term not translated yet) follow the English rule."""
    variants = forms.split("|")
    size, rule = PLURAL_RULES.get((lang or "en_US").split("_")[0], DEFAULT_RULE)
    if len(variants) != size:
        size, rule = DEFAULT_RULE
    variant = variants[min(rule(abs(count)), len(variants) - 1)]
    return variant % {"count": count}


def count_text(env, term, count):
    """``count`` with ``term`` (one of the terms above) in the language of
    ``env``: ``count_text(env, NIGHTS, 3)`` is "3 ночі" for a Ukrainian
    user, "3 nights" for an English one."""
    return choose_form(env.lang, env._(term), count)
