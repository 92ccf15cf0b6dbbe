-- MySQL Proxy style: rewrite SELECTs on `orders` to the archive table via
-- an injected query, watch their results, fail the ones that return too
-- many rows, and report what was seen on request.
function read_query(packet)
  if packet:byte() ~= proxy.COM_QUERY then return end
  local sql = packet:sub(2)
  if sql == "stats" then
    local g = proxy.global
    proxy.response = {
      type = proxy.MYSQLD_PACKET_OK,
      resultset = {
        fields = { {name = "id"}, {name = "rows"}, {name = "time"}, {name = "query"} },
        rows = { {g.last_id, g.last_rows, g.last_time, g.last_query} },
      },
    }
    return proxy.PROXY_SEND_RESULT
  end
  local rewritten, n = sql:gsub("FROM orders", "FROM orders_archive")
  if n > 0 then
    proxy.queries:append(7, string.char(proxy.COM_QUERY) .. rewritten)
    return proxy.PROXY_SEND_QUERY
  end
end

function read_query_result(inj)
  local g = proxy.global
  g.last_id = inj.id
  g.last_rows = inj.resultset.row_count
  g.last_time = inj.query_time
  g.last_query = inj.query:sub(2)
  if inj.resultset.row_count > 100 then
    proxy.response = {
      type = proxy.MYSQLD_PACKET_ERR,
      errmsg = "too many rows from the archive",
      errcode = 1317,
      sqlstate = "70100",
    }
    return proxy.PROXY_SEND_RESULT
  end
end
