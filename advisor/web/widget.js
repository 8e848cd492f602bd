/*
 * advisor chat widget: one script tag adds a chat launcher and panel to any page.
 *
 *   <script src="https://ADVISOR-HOST/widget.js" data-token="LEARNER-JWT" defer></script>
 *
 * Data attributes of the script tag:
 *   data-token     learner bearer token minted by the host site (required)
 *   data-api       base URL of the advisor API (default: the origin this script came from)
 *   data-learner   learner id (default: "me", the learner the token names)
 *   data-title     panel title (default: "Learning advisor")
 *   data-position  "right" (default) or "left" corner for the launcher
 *   data-open      "true" to open the panel on load
 *   data-manual    "true" to add nothing by itself; call window.AdvisorWidget.mount(options)
 *
 * window.AdvisorWidget.setToken(token) replaces the token when the host mints a fresh one.
 * Everything the widget shows is built with DOM nodes and textContent, so text from the model,
 * the catalog or the learner is displayed and never run as HTML.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var STYLE = [
    ":host{all:initial;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:15px;line-height:1.45;color:#1d2433}",
    "*{box-sizing:border-box}",
    ".root{position:fixed;bottom:20px;z-index:2147483000}",
    ".root.right{right:20px}.root.left{left:20px}",
    ".root.inline{position:static;height:100%}",
    ".launcher{display:flex;align-items:center;gap:8px;border:0;border-radius:999px;padding:12px 18px;background:#1f4fbf;color:#fff;font:inherit;font-weight:600;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}",
    ".launcher:hover{background:#183f99}",
    ".launcher[hidden]{display:none}",
    "button:focus-visible,textarea:focus-visible,a:focus-visible{outline:3px solid #f5b400;outline-offset:2px}",
    ".panel{display:flex;flex-direction:column;width:380px;height:560px;max-height:calc(100vh - 40px);background:#fff;border:1px solid #c9d1e0;border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.22);overflow:hidden}",
    ".inline .panel{width:100%;height:100%;max-height:none;box-shadow:none}",
    ".panel[hidden]{display:none}",
    "header{display:flex;align-items:center;justify-content:space-between;padding:12px 14px;background:#1f4fbf;color:#fff}",
    "h2{margin:0;font-size:16px;font-weight:650}",
    ".close{border:0;background:transparent;color:#fff;font-size:22px;line-height:1;width:36px;height:36px;border-radius:8px;cursor:pointer}",
    ".close:hover{background:rgba(255,255,255,.15)}",
    ".log{flex:1;overflow-y:auto;padding:14px;display:flex;flex-direction:column;gap:10px;background:#f6f8fc}",
    ".msg{max-width:92%;padding:9px 12px;border-radius:12px;white-space:normal;overflow-wrap:anywhere}",
    ".msg.user{align-self:flex-end;background:#1f4fbf;color:#fff;white-space:pre-wrap}",
    ".msg.assistant{align-self:flex-start;background:#fff;border:1px solid #dde3ee}",
    ".msg.error{align-self:stretch;background:#fff1f0;border:1px solid #e4a5a0;color:#8a1c13}",
    ".msg p{margin:0 0 .5em}.msg p:last-child{margin-bottom:0}",
    ".msg ul,.msg ol{margin:.2em 0 .5em;padding-left:1.3em}",
    ".msg code{font-family:ui-monospace,Menlo,Consolas,monospace;background:#eef1f7;padding:0 3px;border-radius:4px}",
    ".msg a{color:#1f4fbf}",
    ".note{font-size:13px;color:#5a6478;margin-top:6px}",
    ".typing::after{content:'\\2026';}",
    ".pathway{align-self:stretch;background:#fff;border:1px solid #c9d1e0;border-radius:12px;padding:10px 12px;overflow-wrap:anywhere}",
    ".pathway h3{margin:0 0 4px;font-size:15px}",
    ".summary{margin:0 0 8px;font-size:13px;color:#4a5468}",
    ".steps{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:8px}",
    ".step{border:1px solid #e1e6f0;border-left:4px solid #1f4fbf;border-radius:8px;padding:8px 10px}",
    ".step-title{font-weight:600;color:#1d2433}",
    ".step-title a{color:#1f4fbf;text-decoration:underline}",
    ".provider{display:block;font-size:13px;color:#5a6478}",
    ".facts{display:flex;flex-wrap:wrap;gap:6px;margin:6px 0 4px;padding:0;list-style:none}",
    ".fact{font-size:12.5px;background:#eef1f7;border-radius:999px;padding:2px 8px}",
    ".fact.unknown{background:#fff4d6}",
    ".closes{font-size:13px;margin:2px 0 0}",
    ".chip{display:inline-block;font-size:12.5px;background:#e4f4ea;color:#175c32;border-radius:999px;padding:1px 8px;margin:2px 4px 0 0}",
    ".open-gaps{font-size:13px;color:#7a4b00;margin:8px 0 0}",
    "form{display:flex;gap:8px;padding:10px;border-top:1px solid #dde3ee;background:#fff}",
    "textarea{flex:1;resize:none;min-height:42px;max-height:120px;padding:9px 10px;border:1px solid #b8c2d6;border-radius:10px;font:inherit;color:inherit}",
    ".send{border:0;border-radius:10px;padding:0 16px;background:#1f4fbf;color:#fff;font:inherit;font-weight:600;cursor:pointer;min-width:72px}",
    ".send[disabled]{background:#8aa0d4;cursor:not-allowed}",
    ".send.stop{background:#a3261b}",
    ".sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}",
    "@media (max-width:480px){.root:not(.inline){right:0;left:0;bottom:0}.root:not(.inline) .launcher{position:fixed;right:14px;bottom:14px}",
    ".root:not(.inline) .panel{position:fixed;inset:0;width:100vw;height:100%;max-height:none;border-radius:0;border:0}}",
    "@media (prefers-reduced-motion:no-preference){.panel{transition:opacity .12s}}"
  ].join("\n");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function safeUrl(value) {
    try {
      var url = new URL(String(value), window.location.href);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function link(href, text) {
    var url = safeUrl(href);
    if (!url) return document.createTextNode(text);
    var anchor = el("a", null, text);
    anchor.href = url;
    anchor.target = "_blank";
    anchor.rel = "noopener noreferrer";
    return anchor;
  }

  // Inline markdown: **bold**, *italic*, `code` and [text](http-url); everything else is text.
  var INLINE = /(\*\*([^*]+)\*\*|`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)|\*([^*\s][^*]*)\*)/;

  function appendInline(parent, text) {
    var rest = text;
    while (rest.length) {
      var match = INLINE.exec(rest);
      if (!match) {
        parent.appendChild(document.createTextNode(rest));
        return;
      }
      if (match.index > 0) parent.appendChild(document.createTextNode(rest.slice(0, match.index)));
      if (match[2] !== undefined) parent.appendChild(el("strong", null, match[2]));
      else if (match[3] !== undefined) parent.appendChild(el("code", null, match[3]));
      else if (match[4] !== undefined) parent.appendChild(link(match[5], match[4]));
      else parent.appendChild(el("em", null, match[6]));
      rest = rest.slice(match.index + match[0].length);
    }
  }

  // Block markdown: paragraphs, '-'/'*' and '1.' lists, '#' headings shown as bold paragraphs.
  function renderMarkdown(container, text) {
    while (container.firstChild) container.removeChild(container.firstChild);
    var lines = String(text).replace(/\r\n?/g, "\n").split("\n");
    var list = null;
    var paragraph = null;
    lines.forEach(function (line) {
      var bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
      var numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
      var heading = /^\s*#{1,6}\s+(.*)$/.exec(line);
      if (bullet || numbered) {
        var tag = bullet ? "ul" : "ol";
        if (!list || list.tagName.toLowerCase() !== tag) {
          list = el(tag);
          container.appendChild(list);
        }
        var item = el("li");
        appendInline(item, (bullet || numbered)[1]);
        list.appendChild(item);
        paragraph = null;
        return;
      }
      list = null;
      if (!line.trim()) {
        paragraph = null;
        return;
      }
      if (heading) {
        var strong = el("p");
        var bold = el("strong");
        appendInline(bold, heading[1]);
        strong.appendChild(bold);
        container.appendChild(strong);
        paragraph = null;
        return;
      }
      if (!paragraph) {
        paragraph = el("p");
        container.appendChild(paragraph);
      } else {
        paragraph.appendChild(el("br"));
      }
      appendInline(paragraph, line);
    });
  }

  function formatHours(hours, estimated) {
    var value = Math.round(Number(hours) * 10) / 10;
    return (estimated ? "about " : "") + value + " h" + (estimated ? " (estimated)" : "");
  }

  function formatCost(cost, currency) {
    if (cost === null || cost === undefined) return "cost unknown";
    if (Number(cost) === 0) return "free";
    var amount = Number(cost).toFixed(2);
    return currency ? currency + " " + amount : amount;
  }

  function renderPathway(pathway) {
    var steps = pathway.steps || [];
    var section = el("section", "pathway");
    var headingId = "pw-" + Math.random().toString(36).slice(2);
    var heading = el("h3", null, "Pathway toward " + (pathway.goal_title || "your goal"));
    heading.id = headingId;
    section.setAttribute("aria-labelledby", headingId);
    section.appendChild(heading);

    var parts = [steps.length + (steps.length === 1 ? " step" : " steps"), formatHours(pathway.total_hours || 0, false)];
    if (pathway.weeks) parts.push("about " + pathway.weeks + " weeks at " + pathway.hours_per_week + " h/week");
    var unknown = (pathway.unknown_cost_ids || []).length;
    parts.push("known cost " + formatCost(pathway.known_cost || 0, pathway.currency) + (unknown ? ", " + unknown + " of unknown cost" : ""));
    section.appendChild(el("p", "summary", parts.join(" · ")));

    var list = el("ol", "steps");
    steps.forEach(function (step) {
      var item = el("li", "step");
      var title = el("div", "step-title");
      title.appendChild(step.url ? link(step.url, step.title) : document.createTextNode(step.title));
      item.appendChild(title);
      if (step.provider) item.appendChild(el("span", "provider", step.provider));

      var facts = el("ul", "facts");
      facts.setAttribute("aria-label", "Hours and cost");
      facts.appendChild(el("li", "fact", formatHours(step.hours, step.hours_estimated)));
      var cost = formatCost(step.cost, step.currency);
      facts.appendChild(el("li", "fact" + (step.cost === null || step.cost === undefined ? " unknown" : ""), cost));
      item.appendChild(facts);

      var closes = step.closes || [];
      if (closes.length) {
        var closesLine = el("p", "closes", "Closes: ");
        closes.forEach(function (label) {
          closesLine.appendChild(el("span", "chip", label));
        });
        item.appendChild(closesLine);
      }
      list.appendChild(item);
    });
    section.appendChild(list);

    var open = pathway.open_gap_skills || [];
    if (open.length) section.appendChild(el("p", "open-gaps", "Still open: " + open.join(", ")));
    return section;
  }

  // Parse a text/event-stream body into {event, data} objects, calling onEvent for each.
  async function readEvents(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n?/g, "\n");
      var boundary;
      while ((boundary = buffer.indexOf("\n\n")) >= 0) {
        var block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        var type = "message";
        var data = [];
        block.split("\n").forEach(function (line) {
          if (line.indexOf("event:") === 0) type = line.slice(6).trim();
          else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
        });
        if (!data.length) continue;
        try {
          onEvent(type, JSON.parse(data.join("\n")));
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
        }
      }
    }
  }

  function Widget(options) {
    this.api = (options.api || "").replace(/\/+$/, "");
    this.token = options.token || "";
    this.learner = options.learner || "me";
    this.title = options.title || "Learning advisor";
    this.inline = Boolean(options.target);
    this.storageKey = "advisor-conversation:" + this.api + ":" + this.learner;
    this.conversationId = null;
    this.controller = null;

    var host = options.target || document.body.appendChild(el("div"));
    host.setAttribute("data-advisor-widget", "");
    this.shadow = host.attachShadow({ mode: "open" });
    var style = el("style");
    style.textContent = STYLE;
    this.shadow.appendChild(style);
    this.build(options);
    try {
      this.conversationId = window.sessionStorage.getItem(this.storageKey);
    } catch (error) {
      this.conversationId = null;
    }
    if (this.inline || options.open) this.open(false);
  }

  Widget.prototype.build = function (options) {
    var self = this;
    var uid = Math.random().toString(36).slice(2);
    var placement = options.position === "left" ? "left" : "right";
    var root = el("div", "root " + (this.inline ? "inline" : placement));

    this.launcher = el("button", "launcher");
    this.launcher.type = "button";
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.setAttribute("aria-controls", "panel-" + uid);
    this.launcher.appendChild(el("span", null, "Ask the advisor"));
    this.launcher.addEventListener("click", function () { self.open(true); });
    if (this.inline) this.launcher.hidden = true;

    this.panel = el("div", "panel");
    this.panel.id = "panel-" + uid;
    this.panel.setAttribute("role", this.inline ? "region" : "dialog");
    this.panel.setAttribute("aria-labelledby", "title-" + uid);
    this.panel.hidden = true;
    this.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !self.inline) self.close();
    });

    var header = el("header");
    var title = el("h2", null, this.title);
    title.id = "title-" + uid;
    header.appendChild(title);
    if (!this.inline) {
      var close = el("button", "close", "\u00d7");
      close.type = "button";
      close.setAttribute("aria-label", "Close the advisor chat");
      close.addEventListener("click", function () { self.close(); });
      header.appendChild(close);
    }

    this.log = el("div", "log");
    this.log.setAttribute("role", "log");
    this.log.setAttribute("aria-live", "polite");
    this.log.setAttribute("aria-relevant", "additions");
    this.log.setAttribute("aria-label", "Conversation");
    this.log.tabIndex = 0;

    this.status = el("div", "sr-only");
    this.status.setAttribute("role", "status");

    var form = el("form");
    var label = el("label", "sr-only", "Your question for the advisor");
    label.htmlFor = "input-" + uid;
    this.input = el("textarea");
    this.input.id = "input-" + uid;
    this.input.rows = 1;
    this.input.maxLength = 4000;
    this.input.placeholder = "Ask what to learn next";
    this.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    this.sendButton = el("button", "send", "Send");
    this.sendButton.type = "submit";
    form.appendChild(label);
    form.appendChild(this.input);
    form.appendChild(this.sendButton);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (self.controller) self.controller.abort();
      else self.send(self.input.value);
    });

    this.panel.appendChild(header);
    this.panel.appendChild(this.log);
    this.panel.appendChild(this.status);
    this.panel.appendChild(form);
    root.appendChild(this.launcher);
    root.appendChild(this.panel);
    this.shadow.appendChild(root);
  };

  Widget.prototype.open = function (focus) {
    this.panel.hidden = false;
    this.launcher.hidden = true;
    this.launcher.setAttribute("aria-expanded", "true");
    if (!this.loaded) {
      this.loaded = true;
      this.loadHistory();
    }
    if (focus !== false) this.input.focus();
  };

  Widget.prototype.close = function () {
    this.panel.hidden = true;
    this.launcher.hidden = false;
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.focus();
  };

  Widget.prototype.request = async function (method, path, body, accept) {
    var headers = { Authorization: "Bearer " + this.token, Accept: accept || "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    var response = await fetch(this.api + path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: this.controller ? this.controller.signal : undefined
    });
    if (!response.ok) {
      var message = "The advisor is unavailable (HTTP " + response.status + "). Try again later.";
      try {
        var problem = await response.json();
        if (problem && problem.message) message = problem.message;
      } catch (error) {
        // The body was not JSON, so the generic message is kept.
      }
      var failure = new Error(message);
      failure.status = response.status;
      throw failure;
    }
    return response;
  };

  Widget.prototype.conversationPath = function () {
    return "/v1/learners/" + encodeURIComponent(this.learner) + "/conversations";
  };

  Widget.prototype.ensureConversation = async function () {
    if (this.conversationId) return this.conversationId;
    var response = await this.request("POST", this.conversationPath());
    var conversation = await response.json();
    this.conversationId = conversation.id;
    try {
      window.sessionStorage.setItem(this.storageKey, conversation.id);
    } catch (error) {
      // Storage can be disabled; the conversation then lasts as long as the page.
    }
    return conversation.id;
  };

  Widget.prototype.loadHistory = async function () {
    if (!this.conversationId) {
      this.addMessage("assistant", "Hello! Tell me your goal, such as a role you want, and I will plan what to learn next.");
      return;
    }
    try {
      var response = await this.request("GET", this.conversationPath() + "/" + encodeURIComponent(this.conversationId) + "/turns");
      var history = await response.json();
      var self = this;
      history.turns.forEach(function (turn) {
        var bubble = self.addMessage(turn.role === "user" ? "user" : "assistant", turn.content);
        if (turn.status === "interrupted") bubble.appendChild(el("p", "note", "This answer was interrupted."));
      });
    } catch (error) {
      this.conversationId = null;
      this.addMessage("assistant", "Hello! Tell me your goal, such as a role you want, and I will plan what to learn next.");
    }
  };

  Widget.prototype.addMessage = function (role, text) {
    var bubble = el("div", "msg " + role);
    if (role === "assistant") renderMarkdown(bubble, text);
    else bubble.textContent = text;
    this.log.appendChild(bubble);
    this.log.scrollTop = this.log.scrollHeight;
    return bubble;
  };

  Widget.prototype.setBusy = function (busy) {
    this.sendButton.textContent = busy ? "Stop" : "Send";
    this.sendButton.classList.toggle("stop", busy);
    this.sendButton.setAttribute("aria-label", busy ? "Stop the answer" : "Send the question");
    this.log.setAttribute("aria-busy", busy ? "true" : "false");
  };

  Widget.prototype.send = async function (text) {
    var message = String(text || "").trim();
    if (!message) {
      this.input.focus();
      return;
    }
    this.input.value = "";
    this.addMessage("user", message);
    var bubble = this.addMessage("assistant", "");
    bubble.classList.add("typing");
    bubble.setAttribute("aria-label", "Advisor is answering");
    this.status.textContent = "The advisor is answering.";
    this.controller = new AbortController();
    this.setBusy(true);

    var self = this;
    var answer = "";
    var pathwayShown = false;
    var finished = false;
    try {
      var conversationId = await this.ensureConversation();
      var response;
      try {
        response = await this.request("POST", this.conversationPath() + "/" + encodeURIComponent(conversationId) + "/messages/stream", { message: message }, "text/event-stream");
      } catch (error) {
        if (error.status !== 404) throw error;
        // The stored conversation is gone (deleted or expired): start a new one once.
        this.conversationId = null;
        conversationId = await this.ensureConversation();
        response = await this.request("POST", this.conversationPath() + "/" + encodeURIComponent(conversationId) + "/messages/stream", { message: message }, "text/event-stream");
      }
      await readEvents(response, function (type, data) {
        if (type === "text_delta") {
          answer += data.text || "";
          bubble.classList.remove("typing");
          renderMarkdown(bubble, answer);
        } else if (type === "pathway" && data.pathway) {
          self.log.appendChild(renderPathway(data.pathway));
          pathwayShown = true;
        } else if (type === "final") {
          finished = true;
          if (data.replaces_streamed_text || !answer) {
            answer = data.answer || "";
            renderMarkdown(bubble, answer);
          }
          if (data.pathway && !pathwayShown) {
            self.log.appendChild(renderPathway(data.pathway));
            pathwayShown = true;
          }
        } else if (type === "error") {
          finished = true;
          self.addMessage("error", data.message || "The answer failed. Try again.");
        }
        self.log.scrollTop = self.log.scrollHeight;
      });
      if (!finished) bubble.appendChild(el("p", "note", "The answer stopped early. Send the question again."));
      this.status.textContent = "The advisor has answered.";
    } catch (error) {
      if (error.name === "AbortError") {
        bubble.appendChild(el("p", "note", "Stopped."));
        this.status.textContent = "Stopped.";
      } else {
        this.addMessage("error", error.message || "The advisor is unavailable. Try again later.");
        this.status.textContent = "The question failed.";
      }
    } finally {
      bubble.classList.remove("typing");
      bubble.removeAttribute("aria-label");
      if (!bubble.childNodes.length) bubble.remove();
      this.controller = null;
      this.setBusy(false);
      this.input.focus();
    }
  };

  var widgets = [];

  function mount(options) {
    var widget = new Widget(options || {});
    widgets.push(widget);
    return widget;
  }

  function defaultApi() {
    try {
      return script && script.src ? new URL(script.src).origin : window.location.origin;
    } catch (error) {
      return window.location.origin;
    }
  }

  window.AdvisorWidget = {
    mount: function (options) {
      options = Object.assign({ api: defaultApi() }, options || {});
      return mount(options);
    },
    setToken: function (token) {
      widgets.forEach(function (widget) { widget.token = token; });
    },
    renderMarkdown: renderMarkdown
  };

  if (script && script.dataset.manual !== "true") {
    var data = script.dataset;
    var start = function () {
      mount({
        api: data.api || defaultApi(),
        token: data.token,
        learner: data.learner,
        title: data.title,
        position: data.position,
        open: data.open === "true"
      });
    };
    if (document.body) start();
    else document.addEventListener("DOMContentLoaded", start);
  }
})();
