/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

function assertNoMenu(xmlid, why) {
    return {
        content: `${xmlid} is not in the menu: ${why}`,
        trigger: ".o_main_navbar .o_menu_sections",
        run() {
            if (document.querySelector(`[data-menu-xmlid='${xmlid}']`)) {
                throw new Error(`Menu ${xmlid} is shown: ${why}`);
            }
        },
    };
}

function openSection(section, item) {
    return [
        {
            content: `open the ${section} section`,
            trigger: `.o_main_navbar button[data-menu-xmlid='sputnik_crm.${section}']`,
            run: "click",
        },
        {
            content: `open ${item}`,
            trigger: `.o-dropdown--menu a[data-menu-xmlid='sputnik_crm.${item}']`,
            run: "click",
        },
    ];
}

// An agent walks the Sputnik CRM menu. Its data comes from the Python test.
registry.category("web_tour.tours").add("sputnik_crm_menu_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("sputnik_crm.sputnik_crm_menu_root", "Open the Sputnik CRM app"),
        {
            content: "the app opens on the clients, with the agent's client",
            trigger: ".o_kanban_view .o_kanban_record:contains('Tour Client Sputnik')",
        },
        ...openSection("sputnik_crm_menu_clients", "res_partner_menu_clients"),
        {
            content: "the clients list shows the agent's client",
            trigger: ".o_kanban_view .o_kanban_record:contains('Tour Client Sputnik')",
        },
        {
            content: "the client's kanban card shows its status as a badge",
            trigger: ".o_kanban_view .o_kanban_record:contains('Tour Client Sputnik') .o_field_badge[name=sputnik_lifecycle] .badge",
        },
        {
            content: "open the client",
            trigger: ".o_kanban_view .o_kanban_record:contains('Tour Client Sputnik')",
            run: "click",
        },
        {
            content: "open the classification tab",
            trigger: ".o_form_view .o_notebook .nav-link[name=sputnik_classification]",
            run: "click",
        },
        {
            content: "the card says why the client is in its class",
            trigger: ".o_field_widget[name=sputnik_class_explanation]:not(.o_field_empty)",
        },
        {
            content: "log a call from the client card",
            trigger: ".o_form_view button[name=action_sputnik_log_interaction]",
            run: "click",
        },
        {
            content: "say what the call was about",
            trigger: ".modal .o_field_widget[name=name] input",
            run: "edit Asked about Antalya in May",
        },
        {
            content: "save the call",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "the client card shows the last contact",
            trigger: ".o_form_view span[name=sputnik_last_contact] .o_field_widget[name=sputnik_last_contact]",
        },
        ...openSection("sputnik_crm_menu_clients", "res_partner_menu_rfm_grid"),
        {
            content: "the RFM grid opens with its recency rows and frequency columns labelled",
            // the titles are in the agent's language: their presence, not their words
            trigger: ".o_sputnik_rfm_grid .o_sputnik_rfm_row_title:not(:empty)",
        },
        {
            content: "the frequency columns show their bands of trips",
            trigger: ".o_sputnik_rfm_grid .o_sputnik_rfm_column[data-score='5'] .small:contains('8')",
        },
        ...openSection("sputnik_crm_menu_bookings", "sale_order_menu_bookings"),
        {
            content: "the agent's booking is listed",
            trigger: ".o_list_view .o_data_row:contains('Tour Client Sputnik')",
        },
        {
            content: "the bookings list shows the tour and the booking status",
            trigger: ".o_list_view .o_data_row:contains('Tour Client Sputnik') td[name=sputnik_tour_id]:contains('Tour Test Antalya')",
        },
        {
            content: "the booking is confirmed, told apart from a quotation by its badge",
            trigger: ".o_list_view .o_data_row:contains('Tour Client Sputnik') td[name=sputnik_status] .badge.text-bg-info",
        },
        {
            content: "open the booking",
            trigger: ".o_list_view .o_data_row:contains('Tour Client Sputnik') td.o_data_cell",
            run: "click",
        },
        {
            content: "the booking form shows its client",
            trigger: ".o_form_view .o_field_widget[name=partner_id]:contains('Tour Client Sputnik')",
        },
        {
            content: "open a complaint from the booking",
            trigger: ".o_form_view button[name=action_sputnik_open_complaint]",
            run: "click",
        },
        {
            content: "say what the complaint is about",
            trigger: ".o_form_view .o_field_widget[name=subject] input",
            run: "edit Room without sea view",
        },
        {
            content: "save the complaint",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "the complaint is numbered",
            trigger: ".o_form_view .o_field_widget[name=name]:contains('CMP/')",
        },
        ...openSection("sputnik_crm_menu_tours", "product_template_menu_tours"),
        {
            content: "the tour catalogue shows the tour with its free seats",
            trigger: ".o_kanban_view .o_kanban_record:contains('Tour Test Antalya') .text-bg-success:contains('3')",
        },
        {
            content: "book the tour from its card",
            trigger: ".o_kanban_view .o_kanban_record:contains('Tour Test Antalya') button[name=action_sputnik_book]",
            run: "click",
        },
        {
            content: "the new booking books a seat of the tour's departure, with its free seats",
            trigger: ".o_form_view .o_field_widget[name=order_line] .o_data_row td[name=sputnik_departure_id]:contains('Tour Test Antalya'):contains('· 3')",
        },
        {
            content: "the booking's customer",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input",
            run: "edit Tour Client Sputnik",
        },
        {
            content: "pick the client",
            trigger: ".o-autocomplete--dropdown-item:not(.o_m2o_dropdown_option) a:contains('Tour Client Sputnik')",
            run: "click",
        },
        {
            content: "save the booking",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "the booking is saved",
            trigger: ".o_form_view .o_field_widget[name=name] span:contains('S0')",
        },
        ...openSection("sputnik_crm_menu_tours", "sputnik_departure_menu"),
        {
            content: "the departure lists its seats",
            trigger: ".o_list_view .o_data_row:contains('Tour Test Antalya')",
        },
        ...openSection("sputnik_crm_menu_reports", "sale_report_menu_bookings"),
        {
            content: "the bookings analysis opens as a pivot",
            trigger: ".o_pivot_view .o_pivot table",
        },
        assertNoMenu("sputnik_crm.sputnik_crm_menu_config", "configuration is for managers"),
    ],
});
