{
    "name": "Sputnik CRM",
    "summary": "Client base of a tour bureau: clients, bookings, seats, "
    "interactions, classification, campaigns and effectiveness reports",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/sputnik-tour/sputnik_crm",
    "author": "Sputnik Tour Bureau",
    "license": "LGPL-3",
    "application": True,
    "installable": True,
    "depends": [
        "sale_management",
        "sale_stock",
        "purchase_stock",
        "sale_margin",
        "crm",
        "account",
        "l10n_ua",
        "mass_mailing_sale",
        "survey",
    ],
    "data": [
        "security/sputnik_crm_groups.xml",
        "views/res_partner_views.xml",
        "views/sale_order_views.xml",
        "views/res_config_settings_views.xml",
        "views/sputnik_crm_menus.xml",
    ],
    "demo": [
        "demo/res_company_demo.xml",
        "demo/res_users_demo.xml",
        "demo/res_partner_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "sputnik_crm/static/tests/tours/*.js",
        ],
    },
}
