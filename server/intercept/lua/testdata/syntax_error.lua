function read_query(packet)
  local sql = packet:sub(2)
  if sql = "x" then
    return proxy.PROXY_SEND_RESULT
  end
end
