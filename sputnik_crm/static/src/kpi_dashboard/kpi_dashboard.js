/** @odoo-module **/

import { Component, onWillStart, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { serializeDate, formatDate } from "@web/core/l10n/dates";
import { formatFloat, formatMonetary } from "@web/views/fields/formatters";
import { download } from "@web/core/network/download";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";

const { DateTime } = luxon;

/**
 * The KPI dashboard of the client base: every indicator of a period against
 * the period just before it (by default) or the same period a year before,
 * each named with its dates in the user's format; each card opens the report
 * it comes from; the figures download as an XLSX file. The figures are computed on the server
 * (sputnik.kpi.dashboard), under the user's record rules.
 */
export class SputnikKpiDashboard extends Component {
    static template = "sputnik_crm.KpiDashboard";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.ui = useService("ui");
        const today = DateTime.local().startOf("day");
        this.state = useState({
            dateFrom: serializeDate(today.minus({ months: 12 }).plus({ days: 1 })),
            dateTo: serializeDate(today),
            compare: "previous",
            data: null,
            loading: true,
        });
        onWillStart(() => this.load());
    }

    get presets() {
        const today = DateTime.local().startOf("day");
        return [
            {
                key: "last_12_months",
                label: _t("Last 12 Months"),
                from: today.minus({ months: 12 }).plus({ days: 1 }),
                to: today,
            },
            {
                key: "this_month",
                label: _t("This Month"),
                from: today.startOf("month"),
                to: today,
            },
            {
                key: "last_month",
                label: _t("Last Month"),
                from: today.minus({ months: 1 }).startOf("month"),
                to: today.minus({ months: 1 }).endOf("month").startOf("day"),
            },
            {
                key: "this_quarter",
                label: _t("This Quarter"),
                from: today.startOf("quarter"),
                to: today,
            },
            {
                key: "this_year",
                label: _t("This Year"),
                from: today.startOf("year"),
                to: today,
            },
            {
                key: "last_year",
                label: _t("Last Year"),
                from: today.minus({ years: 1 }).startOf("year"),
                to: today.minus({ years: 1 }).endOf("year").startOf("day"),
            },
        ];
    }

    get comparisons() {
        return [
            { key: "previous", label: _t("Period just before") },
            { key: "last_year", label: _t("Same period a year before") },
        ];
    }

    get comparison() {
        return this.comparisons.find((comparison) => comparison.key === this.state.compare);
    }

    onCompareChange(ev) {
        this.state.compare = ev.target.value;
    }

    async load() {
        this.state.loading = true;
        this.state.data = await this.orm.call("sputnik.kpi.dashboard", "get_dashboard", [
            this.state.dateFrom,
            this.state.dateTo,
        ]);
        this.state.loading = false;
    }

    async applyPreset(preset) {
        this.state.dateFrom = serializeDate(preset.from);
        this.state.dateTo = serializeDate(preset.to);
        await this.load();
    }

    async onDateChange(field, ev) {
        if (!ev.target.value) {
            return;
        }
        this.state[field] = ev.target.value;
        await this.load();
    }

    /** The dates of a period in the user's date format. */
    periodLabel(period) {
        const [from, to] = this.state.data.periods[period];
        return `${formatDate(DateTime.fromISO(from))} – ${formatDate(DateTime.fromISO(to))}`;
    }

    comparisonLabel(comparison) {
        return `${comparison.label} (${this.periodLabel(comparison.key)})`;
    }

    format(kpi, value) {
        if (value === null || value === undefined) {
            return "–";
        }
        switch (kpi.format) {
            case "amount":
                return formatMonetary(value, {
                    currencyId: this.state.data.currency_id,
                    digits: [16, 0],
                });
            case "percent":
                return `${formatFloat(value, { digits: [16, 1] })} %`;
            case "days":
                return _t("%s d", formatFloat(value, { digits: [16, 1] }));
            case "hours":
                return _t("%s h", formatFloat(value, { digits: [16, 1] }));
            case "ratio":
                return formatFloat(value, { digits: [16, 2] });
            default:
                return formatFloat(value, { digits: [16, 0] });
        }
    }

    delta(kpi, period) {
        const current = kpi.values.current;
        const other = kpi.values[period];
        if (current === null || other === null || current === undefined || other === undefined) {
            return { text: "", css: "text-muted" };
        }
        const diff = current - other;
        let text;
        if (["percent", "ratio", "days", "hours", "score"].includes(kpi.format) || !other) {
            text = `${diff >= 0 ? "+" : "−"}${this.format(kpi, Math.abs(diff))}`;
        } else {
            const share = (100 * diff) / Math.abs(other);
            text = `${share >= 0 ? "+" : "−"}${formatFloat(Math.abs(share), { digits: [16, 1] })} %`;
        }
        let css = "text-muted";
        if (Math.abs(diff) > 1e-9 && kpi.better) {
            const good = kpi.better === "up" ? diff > 0 : diff < 0;
            css = good ? "text-success" : "text-danger";
        }
        return { text, css };
    }

    openKpi(kpi) {
        if (kpi.action) {
            this.action.doAction(kpi.action);
        }
    }

    async printReport() {
        const action = await this.orm.call("sputnik.kpi.dashboard", "action_print", [
            this.state.dateFrom,
            this.state.dateTo,
        ]);
        await this.action.doAction(action);
    }

    async downloadXlsx() {
        this.ui.block();
        try {
            await download({
                url: "/sputnik_crm/kpi_dashboard/xlsx",
                data: {
                    date_from: this.state.dateFrom,
                    date_to: this.state.dateTo,
                    compare: this.state.compare,
                },
            });
        } finally {
            this.ui.unblock();
        }
    }
}

registry.category("actions").add("sputnik_crm.kpi_dashboard", SputnikKpiDashboard);
