-- wrk: POSTs pre-signed, distinct Meta deliveries to /webhooks/meta, read from the file given as
-- the first script argument (lines "<hex signature> TAB <body>"). Thread t of n sends lines t, t+n,
-- t+2n, ... so no body is sent twice in a run; a duplicate would be answered without an insert.
local lines = {}
local index, threads = 0, 1
local created = 0

function setup(thread)
  thread:set("thread_no", created)
  created = created + 1
end

function init(args)
  threads = tonumber(args[2])
  for line in io.lines(args[1]) do
    lines[#lines + 1] = line
  end
  index = thread_no
end

function request()
  local line = lines[index + 1]
  index = (index + threads) % #lines
  local tab = line:find("\t", 1, true)
  return wrk.format("POST", "/webhooks/meta", {
    ["Content-Type"] = "application/json",
    ["X-Hub-Signature-256"] = "sha256=" .. line:sub(1, tab - 1),
  }, line:sub(tab + 1))
end
