// The live inbox: new notifications arrive as server-sent events (notify's stream, passed through
// by /parent/inbox/stream) and are put at the top of the list without a reload.
(function () {
  var list = document.getElementById("inbox");
  if (!list || !window.EventSource) return;
  var source = new EventSource(list.dataset.stream);
  source.addEventListener("notification", function (event) {
    var item = JSON.parse(event.data);
    if (list.querySelector('[data-id="' + item.notification_id + '"]')) return;
    var empty = list.querySelector(".empty");
    if (empty) empty.remove();
    var li = document.createElement("li");
    li.dataset.id = item.notification_id;
    li.textContent = item.body;
    list.insertBefore(li, list.firstChild);
  });
  source.addEventListener("expired", function () { source.close(); window.location.reload(); });
  document.addEventListener("htmx:beforeSwap", function () { source.close(); }, { once: true });
})();
