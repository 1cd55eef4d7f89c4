/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

function openMenu(section, item) {
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

function search(text) {
    return [
        {
            content: `search ${text}`,
            trigger: ".o_searchview_input",
            run: `edit ${text}`,
        },
        {
            content: "run the search",
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
    ];
}

/** A date `years` from today in the Ukrainian format (dd.mm.yyyy). */
function inYears(years) {
    const date = new Date();
    date.setFullYear(date.getFullYear() + years);
    const pad = (n) => String(n).padStart(2, "0");
    return `${pad(date.getDate())}.${pad(date.getMonth() + 1)}.${date.getFullYear()}`;
}

// A Ukrainian agent finds a departure by its Ukrainian name, books it for two
// travellers, fixes the passport of one, confirms and logs a call. The data
// comes from the Python test (tests/test_acceptance.py).
registry.category("web_tour.tours").add("sputnik_acceptance_agent_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("sputnik_crm.sputnik_crm_menu_root", "Open the Sputnik CRM app"),
        ...openMenu("sputnik_crm_menu_tours", "sputnik_departure_menu"),
        ...search("Кемер Приймальний"),
        {
            content: "the departure is found by its Ukrainian name, and shown by it",
            trigger: ".o_list_view .o_data_row:contains('Кемер Приймальний')",
            run() {
                const rows = document.querySelectorAll(".o_list_view .o_data_row");
                for (const row of rows) {
                    if (!row.textContent.includes("Кемер Приймальний")) {
                        throw new Error(`Another departure found: ${row.textContent}`);
                    }
                }
            },
        },
        {
            content: "book the departure",
            trigger: ".o_list_view .o_data_row:contains('Кемер Приймальний') button[name=action_sputnik_book]",
            run: "click",
        },
        {
            content: "the new booking has a line of the departure",
            trigger: ".o_form_view .o_field_widget[name=order_line] .o_data_row td[name=sputnik_departure_id]:contains('Кемер Приймальний')",
        },
        {
            content: "the booking's customer",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input",
            run: "edit Приймальна Клієнтка",
        },
        {
            content: "pick the customer",
            trigger: ".o-autocomplete--dropdown-item:not(.o_m2o_dropdown_option) a:contains('Приймальна Клієнтка')",
            run: "click",
        },
        {
            content: "two seats: edit the line",
            trigger: ".o_form_view .o_field_widget[name=order_line] .o_data_row td[name=product_uom_qty]",
            run: "click",
        },
        {
            content: "two seats",
            trigger: ".o_form_view .o_field_widget[name=order_line] .o_data_row td[name=product_uom_qty] input",
            run: "edit 2",
        },
        {
            content: "open the travellers tab",
            trigger: ".o_form_view .o_notebook .nav-link[name=sputnik_travellers]",
            run: "click",
        },
        ...["Приймальна Клієнтка", "Приймальний Супутник"].flatMap((name) => [
            {
                content: "add a traveller",
                trigger: ".o_form_view .o_field_widget[name=sputnik_traveller_ids] .o_field_x2many_list_row_add a",
                run: "click",
            },
            {
                content: `look for ${name}`,
                trigger: ".modal .o_searchview_input",
                run: `edit ${name}`,
            },
            {
                content: "run the search",
                trigger: ".modal .o_searchview_input",
                run: "press Enter",
            },
            {
                content: `pick ${name}`,
                trigger: `.modal .o_data_row:contains('${name}') td.o_data_cell`,
                run: "click",
            },
            {
                content: `${name} travels`,
                trigger: `.o_form_view .o_field_widget[name=sputnik_traveller_ids] .o_data_row:contains('${name}')`,
            },
        ]),
        {
            content: "save the booking",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "the passport rule warns: the companion's passport expires too soon",
            trigger: ".o_form_view .alert-warning .o_field_widget[name=sputnik_passport_issues]:contains('Приймальний Супутник')",
        },
        // the fix: a valid foreign passport on the traveller's own card
        ...openMenu("sputnik_crm_menu_clients", "res_partner_menu_clients"),
        ...search("Приймальний Супутник"),
        {
            content: "open the traveller",
            trigger: ".o_kanban_record:contains('Приймальний Супутник')",
            run: "click",
        },
        {
            content: "open the travel documents",
            trigger: ".o_form_view .o_notebook .nav-link[name=sputnik_travel_documents]",
            run: "click",
        },
        {
            content: "add a document",
            trigger: ".o_form_view .o_field_widget[name=sputnik_travel_document_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "a foreign passport (the default type): its number",
            trigger: ".o_field_widget[name=sputnik_travel_document_ids] .o_data_row td[name=number] input",
            run: "edit FP5550001",
        },
        {
            content: "it expires in five years",
            trigger: ".o_field_widget[name=sputnik_travel_document_ids] .o_data_row td[name=expiry_date] input",
            run: `edit ${inYears(5)}`,
        },
        {
            content: "save the traveller",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "the passport is saved, valid (not marked expiring or expired)",
            trigger: ".o_form_view:not(:has(.o_form_button_save:visible)) .o_field_widget[name=sputnik_travel_document_ids] .o_data_row:contains('FP5550001'):not(.text-warning):not(.text-danger) td[name=status]:not(:empty)",
        },
        // back to the booking
        ...openMenu("sputnik_crm_menu_bookings", "sale_order_menu_bookings"),
        {
            content: "open the booking",
            trigger: ".o_list_view .o_data_row:contains('Приймальна Клієнтка') td.o_data_cell",
            run: "click",
        },
        {
            content: "the passport rule is satisfied",
            trigger: ".o_form_view .o_field_widget[name=order_line] .o_data_row td[name=sputnik_departure_id]:contains('Кемер Приймальний')",
            run() {
                if (document.querySelector(".o_form_view [name=sputnik_passport_issues]")) {
                    throw new Error("The passport rule still warns");
                }
            },
        },
        {
            content: "confirm the booking",
            trigger: ".o_form_view .o_form_statusbar button[name=action_confirm]",
            run: "click",
        },
        {
            content: "the booking is confirmed: its payment status shows",
            trigger: ".o_form_view .o_field_widget[name=sputnik_payment_status]",
        },
        {
            // the button in the header, or the entry of the action menu
            content: "log a call",
            trigger: ".o_form_view .o_form_statusbar",
            async run(helpers) {
                const button = document.querySelector(
                    ".o_form_view .o_form_statusbar button[name=action_sputnik_log_interaction]"
                );
                if (button) {
                    await helpers.click(button);
                    return;
                }
                await helpers.click(".o_control_panel .o_cp_action_menus button");
                const item = await new Promise((resolve) => {
                    const started = Date.now();
                    const look = () => {
                        const found = [
                            ...document.querySelectorAll(".o-dropdown--menu .o-dropdown-item"),
                        ].find((el) => /Записати взаємодію|Log Interaction/.test(el.textContent));
                        if (found || Date.now() - started > 5000) {
                            resolve(found);
                        } else {
                            setTimeout(look, 100);
                        }
                    };
                    look();
                });
                if (!item) {
                    throw new Error("No Log Interaction on the booking");
                }
                await helpers.click(item);
            },
        },
        {
            content: "say what the call was about",
            trigger: ".modal .o_field_widget[name=name] input",
            run: "edit Підтвердили бронювання по телефону",
        },
        {
            content: "save the call",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "the call is saved",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
