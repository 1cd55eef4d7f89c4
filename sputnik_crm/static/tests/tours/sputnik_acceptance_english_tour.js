/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// An English-speaking agent books a tour from the catalogue, in English. The
// data comes from the Python test (tests/test_acceptance.py).
registry.category("web_tour.tours").add("sputnik_acceptance_english_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("sputnik_crm.sputnik_crm_menu_root", "Open the Sputnik CRM app"),
        {
            content: "open the tours section, labelled in English",
            trigger: ".o_main_navbar button[data-menu-xmlid='sputnik_crm.sputnik_crm_menu_tours']:contains('Tours')",
            run: "click",
        },
        {
            content: "open the tour catalogue",
            trigger: ".o-dropdown--menu a[data-menu-xmlid='sputnik_crm.product_template_menu_tours']:contains('Tour Catalogue')",
            run: "click",
        },
        {
            content: "book the tour from its card",
            trigger: ".o_kanban_record:contains('Lisbon Acceptance') button[name=action_sputnik_book]",
            run: "click",
        },
        {
            content: "the new booking books the tour's departure",
            trigger: ".o_form_view .o_field_widget[name=order_line] .o_data_row td[name=sputnik_departure_id]:contains('Lisbon Acceptance')",
        },
        {
            content: "the departure column is labelled in English",
            trigger: ".o_form_view .o_field_widget[name=order_line] th[data-name=sputnik_departure_id]:contains('Departure')",
        },
        {
            content: "the booking's customer",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input",
            run: "edit English Acceptance Client",
        },
        {
            content: "pick the customer",
            trigger: ".o-autocomplete--dropdown-item:not(.o_m2o_dropdown_option) a:contains('English Acceptance Client')",
            run: "click",
        },
        {
            content: "open the Travellers tab",
            trigger: ".o_form_view .o_notebook .nav-link[name=sputnik_travellers]:contains('Travellers')",
            run: "click",
        },
        {
            content: "add a traveller",
            trigger: ".o_form_view .o_field_widget[name=sputnik_traveller_ids] .o_field_x2many_list_row_add a:contains('Add a line')",
            run: "click",
        },
        {
            content: "look for the client",
            trigger: ".modal .o_searchview_input",
            run: "edit English Acceptance Client",
        },
        {
            content: "run the search",
            trigger: ".modal .o_searchview_input",
            run: "press Enter",
        },
        {
            content: "the client travels",
            trigger: ".modal .o_data_row:contains('English Acceptance Client') td.o_data_cell",
            run: "click",
        },
        {
            content: "save the booking",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "confirm it",
            trigger: ".o_form_view .o_form_statusbar button[name=action_confirm]:contains('Confirm')",
            run: "click",
        },
        {
            content: "the booking is confirmed, its status in English",
            trigger: ".o_form_view .o_field_widget[name=sputnik_status]:contains('Confirmed')",
        },
    ],
});
