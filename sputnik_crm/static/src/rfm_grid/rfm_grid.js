/** @odoo-module **/

import { Component, onWillStart, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { formatDate } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";

const { DateTime } = luxon;

// the colour of a cell: that of the segment most of its clients are in
const SEGMENT_CLASSES = {
    champions: "bg-success-subtle",
    loyal: "bg-success-subtle",
    potential: "bg-info-subtle",
    promising: "bg-info-subtle",
    attention: "bg-warning-subtle",
    about_to_sleep: "bg-warning-subtle",
    at_risk: "bg-danger-subtle",
    cannot_lose: "bg-danger-subtle",
    hibernating: "bg-secondary-subtle",
    lost: "bg-secondary-subtle",
};

/**
 * The RFM grid: the clients with a trip by recency score (rows, 5 the most
 * recent) and frequency score (columns, with their bands of trips), each cell
 * with its count and the segments of its clients. A cell or a segment opens
 * its clients. The figures come from res.partner's sputnik_rfm_grid, under
 * the user's record rules.
 */
export class SputnikRfmGrid extends Component {
    static template = "sputnik_crm.RfmGrid";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ data: null });
        onWillStart(() => this.load());
    }

    async load() {
        this.state.data = await this.orm.call("res.partner", "sputnik_rfm_grid", []);
    }

    returnsLabel(row) {
        if (!row.first_return) {
            return "";
        }
        const from = formatDate(DateTime.fromISO(row.first_return));
        const to = formatDate(DateTime.fromISO(row.last_return));
        return from === to ? from : `${from} – ${to}`;
    }

    cellClass(cell) {
        if (!cell.count) {
            return "text-muted";
        }
        const main = [...cell.segments].sort((a, b) => b.count - a.count)[0];
        return `cursor-pointer ${SEGMENT_CLASSES[main.key] || ""}`;
    }

    openClients(row, cell, segment) {
        if (!cell.count) {
            return;
        }
        const domain = [
            ...this.state.data.domain,
            ["sputnik_rfm_r", "=", row.score],
            ["sputnik_rfm_f", "=", cell.f],
        ];
        let name = _t("RFM %(r)s-%(f)s", { r: row.score, f: cell.f });
        if (segment) {
            domain.push(["sputnik_rfm_segment", "=", segment.key]);
            name = `${name}: ${segment.label}`;
        }
        this.action.doAction({
            type: "ir.actions.act_window",
            name,
            res_model: "res.partner",
            views: [
                [false, "list"],
                [false, "form"],
            ],
            domain,
            context: { create: false },
        });
    }

    openPivot() {
        this.action.doAction("sputnik_crm.res_partner_action_rfm_grid");
    }
}

registry.category("actions").add("sputnik_crm.rfm_grid", SputnikRfmGrid);
