-- wrk: POSTs pre-signed, distinct Meta deliveries to /webhooks/meta, read from the file given as
-- the first script argument (lines "<hex signature> TAB <body>"). Thread t of n sends lines t, t+n,
-- t+2n, ... so no body is sent twice in a run; a duplicate would be answered without an insert.
-- Each thread formats its requests once, before the run: formatting per request spent the load
-- generator's CPU on the same cores as the server and the database.
local requests = {}
local index = 0
local created = 0

function setup(thread)
  thread:set("thread_no", created)
  created = created + 1
end

function init(args)
  local threads = tonumber(args[2])
  local n = 0
  for line in io.lines(args[1]) do
    if n % threads == thread_no then
      local tab = line:find("\t", 1, true)
      requests[#requests + 1] = wrk.format("POST", "/webhooks/meta", {
        ["Content-Type"] = "application/json",
        ["X-Hub-Signature-256"] = "sha256=" .. line:sub(1, tab - 1),
      }, line:sub(tab + 1))
    end
    n = n + 1
  end
end

function request()
  index = index % #requests + 1
  return requests[index]
end
