-- Loaded from a file (interception.lua_scripts[].file): clients still
-- name the table `legacy`, which the schema renamed to `orders`; the old
-- name is rewritten before the statement reaches the server.
function read_query(packet)
  if packet:byte() ~= proxy.COM_QUERY then return end
  local sql = packet:sub(2)
  local rewritten, n = sql:gsub("FROM legacy", "FROM orders")
  if n > 0 then
    proxy.queries:append(1, string.char(proxy.COM_QUERY) .. rewritten)
    return proxy.PROXY_SEND_QUERY
  end
end
