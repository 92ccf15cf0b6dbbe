'use strict';
const { Client, Transaction, ChangeStream, GatewayError, decodeStatusDetails } = require('./client');
const { Decimal, Json, fromValue, toValue } = require('./values');

module.exports = { Client, Transaction, ChangeStream, GatewayError, Decimal, Json, fromValue, toValue, decodeStatusDetails };
