// The story page: each story is a live element with its inputs shown beside it.
function showInputs(list, inputs) {
  list.replaceChildren(
    ...Object.entries(inputs).flatMap(([name, value]) => {
      const dt = document.createElement("dt");
      dt.textContent = name;
      const dd = document.createElement("dd");
      dd.textContent = value;
      return [dt, dd];
    }),
  );
}

async function liveStory() {
  const element = document.getElementById("story-live");
  const inputs = document.getElementById("story-live-inputs");
  try {
    const response = await fetch("/api/executions?limit=1");
    const body = await response.json();
    if (!response.ok) throw new Error(body.detail ?? response.statusText);
    const latest = body.executions[0];
    if (latest) element.setAttribute("execution-id", latest.id);
    showInputs(inputs, { "api-base": "/api", "execution-id": latest ? latest.id : "(none yet)" });
  } catch (error) {
    showInputs(inputs, { "api-base": "/api", error: error.message });
  }
}

liveStory();
