/*
 * sendsite: filtering and sorting for the tracker and risk register.
 * Progressive enhancement: without JavaScript the tables are complete and
 * grouped; with it, the filter form appears, column headers become sort
 * buttons, and filters can be linked to (?area=…&status=…&overdue=1).
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-table-filters]");
  if (!form) { return; }
  var table = document.getElementById(form.getAttribute("data-table-filters"));
  if (!table) { return; }
  var rows = Array.prototype.slice.call(table.querySelectorAll("tr[data-row]"));
  var groups = Array.prototype.slice.call(table.querySelectorAll("tr[data-group]"));
  var controls = Array.prototype.slice.call(form.querySelectorAll("[data-field]"));
  var status = form.querySelector("[data-filter-status]");
  var noun = table.id === "risk-table" ? "risks" : "items";

  form.hidden = false;
  form.addEventListener("submit", function (event) { event.preventDefault(); });

  function wanted(control) {
    if (control.type === "checkbox") { return control.checked ? control.value : ""; }
    return control.value;
  }

  var params = new URLSearchParams(window.location.search);
  controls.forEach(function (control) {
    var value = params.get(control.name);
    if (value === null) { return; }
    if (control.type === "checkbox") { control.checked = value === control.value; }
    else if (Array.prototype.some.call(control.options, function (o) { return o.value === value; })) {
      control.value = value;
    }
  });

  function apply() {
    var shown = 0;
    rows.forEach(function (row) {
      var match = controls.every(function (control) {
        var want = wanted(control);
        return !want || row.getAttribute("data-" + control.getAttribute("data-field")) === want;
      });
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    groups.forEach(function (group) {
      var next = group.nextElementSibling, any = false;
      while (next && !next.hasAttribute("data-group")) {
        if (!next.hidden) { any = true; }
        next = next.nextElementSibling;
      }
      group.hidden = !any || table.hasAttribute("data-sorted");
    });
    status.textContent = shown === rows.length
      ? "Showing all " + rows.length + " " + noun + "."
      : "Showing " + shown + " of " + rows.length + " " + noun + ".";
    var query = new URLSearchParams();
    controls.forEach(function (control) {
      if (wanted(control)) { query.set(control.name, wanted(control)); }
    });
    var search = query.toString();
    window.history.replaceState(null, "", search ? "?" + search : window.location.pathname);
  }

  controls.forEach(function (control) { control.addEventListener("change", apply); });

  /* Sorting: each header becomes a button; rows sort by their cells' data-value. */
  var headers = Array.prototype.slice.call(table.querySelectorAll("thead th[data-sort]"));
  headers.forEach(function (th, column) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort-button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var body = table.tBodies[0];
      var sorted = rows.slice().sort(function (a, b) {
        var x = a.cells[column].getAttribute("data-value") || "";
        var y = b.cells[column].getAttribute("data-value") || "";
        var order = x.localeCompare(y, "en-GB", {numeric: true, sensitivity: "base"});
        return ascending ? order : -order;
      });
      sorted.forEach(function (row) { body.appendChild(row); });
      table.setAttribute("data-sorted", "");
      apply();
    });
  });

  apply();
})();
