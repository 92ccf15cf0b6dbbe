'use strict';
const { Client, Transaction, GatewayError, decodeStatusDetails } = require('./client');
const { Decimal, Json, fromValue, toValue } = require('./values');

module.exports = { Client, Transaction, GatewayError, Decimal, Json, fromValue, toValue, decodeStatusDetails };
