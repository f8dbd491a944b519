// Compiled from contracts/SupplyChain.sol (solc 0.8.37, optimizer 10,000 runs) by the ledgerkit repository's contracts/ethereum build; do not edit.

/** ABI of SupplyChain, `as const` so that viem/abitype-typed calls check argument types. */
export const supplyChainAbi = [
  {
    inputs: [
      {
        internalType: 'address',
        name: 'admin',
        type: 'address',
      },
    ],
    stateMutability: 'nonpayable',
    type: 'constructor',
  },
  {
    inputs: [],
    name: 'AccessControlBadConfirmation',
    type: 'error',
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'account',
        type: 'address',
      },
      {
        internalType: 'bytes32',
        name: 'neededRole',
        type: 'bytes32',
      },
    ],
    name: 'AccessControlUnauthorizedAccount',
    type: 'error',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
    ],
    name: 'AssetAlreadyRegistered',
    type: 'error',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
    ],
    name: 'AssetIsFinal',
    type: 'error',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
    ],
    name: 'AssetNotFound',
    type: 'error',
  },
  {
    inputs: [
      {
        internalType: 'uint64',
        name: 'expiresAt',
        type: 'uint64',
      },
      {
        internalType: 'uint64',
        name: 'now_',
        type: 'uint64',
      },
    ],
    name: 'ExpiryNotInFuture',
    type: 'error',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
      {
        internalType: 'address',
        name: 'receiver',
        type: 'address',
      },
    ],
    name: 'InvalidReceiver',
    type: 'error',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
    ],
    name: 'NoPendingOffer',
    type: 'error',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
      {
        internalType: 'address',
        name: 'caller',
        type: 'address',
      },
    ],
    name: 'NotCustodian',
    type: 'error',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
      {
        internalType: 'address',
        name: 'caller',
        type: 'address',
      },
    ],
    name: 'NotOfferedTo',
    type: 'error',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
      {
        internalType: 'uint64',
        name: 'expiresAt',
        type: 'uint64',
      },
    ],
    name: 'OfferExpired',
    type: 'error',
  },
  {
    inputs: [],
    name: 'ZeroAddress',
    type: 'error',
  },
  {
    inputs: [],
    name: 'ZeroAssetId',
    type: 'error',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'retailer',
        type: 'address',
      },
    ],
    name: 'AssetReceived',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'manufacturer',
        type: 'address',
      },
      {
        indexed: false,
        internalType: 'bytes32',
        name: 'product',
        type: 'bytes32',
      },
      {
        indexed: false,
        internalType: 'bytes32',
        name: 'documentHash',
        type: 'bytes32',
      },
    ],
    name: 'AssetRegistered',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'custodian',
        type: 'address',
      },
      {
        indexed: false,
        internalType: 'uint32',
        name: 'sequence',
        type: 'uint32',
      },
      {
        indexed: false,
        internalType: 'bytes32',
        name: 'locationCode',
        type: 'bytes32',
      },
      {
        indexed: false,
        internalType: 'int16',
        name: 'temperatureCentiCelsius',
        type: 'int16',
      },
      {
        indexed: false,
        internalType: 'bytes32',
        name: 'documentHash',
        type: 'bytes32',
      },
    ],
    name: 'CheckpointRecorded',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'from',
        type: 'address',
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'to',
        type: 'address',
      },
    ],
    name: 'CustodyOfferCancelled',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'from',
        type: 'address',
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'to',
        type: 'address',
      },
      {
        indexed: false,
        internalType: 'uint64',
        name: 'expiresAt',
        type: 'uint64',
      },
    ],
    name: 'CustodyOffered',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'from',
        type: 'address',
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'to',
        type: 'address',
      },
    ],
    name: 'CustodyTransferred',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'role',
        type: 'bytes32',
      },
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'previousAdminRole',
        type: 'bytes32',
      },
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'newAdminRole',
        type: 'bytes32',
      },
    ],
    name: 'RoleAdminChanged',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'role',
        type: 'bytes32',
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'account',
        type: 'address',
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'sender',
        type: 'address',
      },
    ],
    name: 'RoleGranted',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'role',
        type: 'bytes32',
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'account',
        type: 'address',
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'sender',
        type: 'address',
      },
    ],
    name: 'RoleRevoked',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
      {
        indexed: false,
        internalType: 'uint32',
        name: 'sequence',
        type: 'uint32',
      },
      {
        indexed: false,
        internalType: 'int16',
        name: 'temperatureCentiCelsius',
        type: 'int16',
      },
      {
        indexed: false,
        internalType: 'int16',
        name: 'maxTemperatureCentiCelsius',
        type: 'int16',
      },
    ],
    name: 'TemperatureExcursion',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
      {
        indexed: false,
        internalType: 'int16',
        name: 'maxTemperatureCentiCelsius',
        type: 'int16',
      },
    ],
    name: 'TemperatureLimitSet',
    type: 'event',
  },
  {
    inputs: [],
    name: 'AUDITOR_ROLE',
    outputs: [
      {
        internalType: 'bytes32',
        name: '',
        type: 'bytes32',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [],
    name: 'CARRIER_ROLE',
    outputs: [
      {
        internalType: 'bytes32',
        name: '',
        type: 'bytes32',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [],
    name: 'DEFAULT_ADMIN_ROLE',
    outputs: [
      {
        internalType: 'bytes32',
        name: '',
        type: 'bytes32',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [],
    name: 'MANUFACTURER_ROLE',
    outputs: [
      {
        internalType: 'bytes32',
        name: '',
        type: 'bytes32',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [],
    name: 'NO_TEMPERATURE_LIMIT',
    outputs: [
      {
        internalType: 'int16',
        name: '',
        type: 'int16',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [],
    name: 'RETAILER_ROLE',
    outputs: [
      {
        internalType: 'bytes32',
        name: '',
        type: 'bytes32',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
    ],
    name: 'acceptCustody',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
    ],
    name: 'cancelOffer',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
    ],
    name: 'getAsset',
    outputs: [
      {
        components: [
          {
            internalType: 'address',
            name: 'custodian',
            type: 'address',
          },
          {
            internalType: 'uint64',
            name: 'registeredAt',
            type: 'uint64',
          },
          {
            internalType: 'uint32',
            name: 'checkpointCount',
            type: 'uint32',
          },
          {
            internalType: 'bytes32',
            name: 'product',
            type: 'bytes32',
          },
          {
            internalType: 'bytes32',
            name: 'documentHash',
            type: 'bytes32',
          },
          {
            internalType: 'int16',
            name: 'maxTemperatureCentiCelsius',
            type: 'int16',
          },
          {
            internalType: 'bool',
            name: 'flagged',
            type: 'bool',
          },
          {
            internalType: 'bool',
            name: 'received',
            type: 'bool',
          },
        ],
        internalType: 'struct SupplyChain.Asset',
        name: '',
        type: 'tuple',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
    ],
    name: 'getOffer',
    outputs: [
      {
        components: [
          {
            internalType: 'address',
            name: 'to',
            type: 'address',
          },
          {
            internalType: 'uint64',
            name: 'expiresAt',
            type: 'uint64',
          },
        ],
        internalType: 'struct SupplyChain.Offer',
        name: '',
        type: 'tuple',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'role',
        type: 'bytes32',
      },
    ],
    name: 'getRoleAdmin',
    outputs: [
      {
        internalType: 'bytes32',
        name: '',
        type: 'bytes32',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'role',
        type: 'bytes32',
      },
      {
        internalType: 'address',
        name: 'account',
        type: 'address',
      },
    ],
    name: 'grantRole',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'role',
        type: 'bytes32',
      },
      {
        internalType: 'address',
        name: 'account',
        type: 'address',
      },
    ],
    name: 'hasRole',
    outputs: [
      {
        internalType: 'bool',
        name: '',
        type: 'bool',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
      {
        internalType: 'address',
        name: 'to',
        type: 'address',
      },
      {
        internalType: 'uint64',
        name: 'expiresAt',
        type: 'uint64',
      },
    ],
    name: 'offerCustody',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
    ],
    name: 'receiveAsset',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
      {
        internalType: 'bytes32',
        name: 'locationCode',
        type: 'bytes32',
      },
      {
        internalType: 'int16',
        name: 'temperatureCentiCelsius',
        type: 'int16',
      },
      {
        internalType: 'bytes32',
        name: 'documentHash',
        type: 'bytes32',
      },
    ],
    name: 'recordCheckpoint',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
      {
        internalType: 'bytes32',
        name: 'product',
        type: 'bytes32',
      },
      {
        internalType: 'bytes32',
        name: 'documentHash',
        type: 'bytes32',
      },
    ],
    name: 'registerAsset',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'assetId',
        type: 'bytes32',
      },
      {
        internalType: 'bytes32',
        name: 'product',
        type: 'bytes32',
      },
      {
        internalType: 'bytes32',
        name: 'documentHash',
        type: 'bytes32',
      },
      {
        internalType: 'int16',
        name: 'maxTemperatureCentiCelsius',
        type: 'int16',
      },
    ],
    name: 'registerBatch',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'role',
        type: 'bytes32',
      },
      {
        internalType: 'address',
        name: 'callerConfirmation',
        type: 'address',
      },
    ],
    name: 'renounceRole',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'role',
        type: 'bytes32',
      },
      {
        internalType: 'address',
        name: 'account',
        type: 'address',
      },
    ],
    name: 'revokeRole',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'bytes4',
        name: 'interfaceId',
        type: 'bytes4',
      },
    ],
    name: 'supportsInterface',
    outputs: [
      {
        internalType: 'bool',
        name: '',
        type: 'bool',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
] as const;

/** Creation bytecode of SupplyChain (optimizer on, production profile). */
export const supplyChainBytecode =
  '0x608060405234801561000f575f5ffd5b5060405161188238038061188283398101604081905261002e9161010f565b6001600160a01b0381166100555760405163d92e233d60e01b815260040160405180910390fd5b61005f5f82610066565b505061013c565b5f828152602081815260408083206001600160a01b038516845290915281205460ff16610106575f838152602081815260408083206001600160a01b03861684529091529020805460ff191660011790556100be3390565b6001600160a01b0316826001600160a01b0316847f2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d60405160405180910390a4506001610109565b505f5b92915050565b5f6020828403121561011f575f5ffd5b81516001600160a01b0381168114610135575f5ffd5b9392505050565b611739806101495f395ff3fe608060405234801561000f575f5ffd5b506004361061016e575f3560e01c8063965288b0116100d2578063b9cd31a611610088578063d597b8c811610063578063d597b8c814610386578063da57f9751461043f578063f952279e14610452575f5ffd5b8063b9cd31a61461034d578063ca4aa60614610360578063d547741f14610373575f5ffd5b8063a0edd01f116100b8578063a0edd01f14610317578063a217fddf14610333578063a97e48f71461033a575f5ffd5b8063965288b0146102dd5780639c3d346714610304575f5ffd5b80632f2ff15d1161012757806365a1be481161010d57806365a1be481461024c5780636e1d616e1461027357806391d148541461029a575f5ffd5b80632f2ff15d1461022657806336568abe14610239575f5ffd5b806322812c3f1161015757806322812c3f146101cf578063248a9ca3146101e45780632cc3ce8014610206575f5ffd5b806301ffc9a7146101725780632115e7bf1461019a575b5f5ffd5b61018561018036600461147d565b610465565b60405190151581526020015b60405180910390f35b6101c17f2a5f906c256a5d799494fcd066e1f6c077689de1cdb65052a1624de4bace99bf81565b604051908152602001610191565b6101e26101dd3660046114eb565b6104fd565b005b6101c16101f2366004611534565b5f9081526020819052604090206001015490565b610219610214366004611534565b6106b1565b604051610191919061154b565b6101e26102343660046115e8565b6107fa565b6101e26102473660046115e8565b610824565b6101c17feb998ffefd22a823ed46d63e27357a1eefa908b6ba6804ac328694f77956b46981565b6101c17f59a1c48e5837ad7a7f3dcedcbe129bf3249ec4fbf651fd4f5e2600ead39fe2f581565b6101856102a83660046115e8565b5f9182526020828152604080842073ffffffffffffffffffffffffffffffffffffffff93909316845291905290205460ff1690565b6101c17feefb95e842a3287179d933b4460be539a1d5af11aa8b325bb45c5c8dc92de4ed81565b6101e2610312366004611623565b610882565b610320617fff81565b60405160019190910b8152602001610191565b6101c15f81565b6101e2610348366004611534565b6108f8565b6101e261035b36600461165f565b610b44565b6101e261036e366004611699565b610cbd565b6101e26103813660046115e8565b610cf5565b610404610394366004611534565b604080518082019091525f8082526020820152505f9081526002602090815260409182902082518084019093525473ffffffffffffffffffffffffffffffffffffffff8116835274010000000000000000000000000000000000000000900467ffffffffffffffff169082015290565b60408051825173ffffffffffffffffffffffffffffffffffffffff16815260209283015167ffffffffffffffff169281019290925201610191565b6101e261044d366004611534565b610d19565b6101e2610460366004611534565b610de1565b5f7fffffffff0000000000000000000000000000000000000000000000000000000082167f7965db0b0000000000000000000000000000000000000000000000000000000014806104f757507f01ffc9a7000000000000000000000000000000000000000000000000000000007fffffffff000000000000000000000000000000000000000000000000000000008316145b92915050565b61050683610ec1565b5073ffffffffffffffffffffffffffffffffffffffff8216331480610531575061052f82610fc7565b155b1561058c576040517f84ff5d4b0000000000000000000000000000000000000000000000000000000081526004810184905273ffffffffffffffffffffffffffffffffffffffff831660248201526044015b60405180910390fd5b428167ffffffffffffffff16116105e3576040517f27b229d500000000000000000000000000000000000000000000000000000000815267ffffffffffffffff808316600483015242166024820152604401610583565b60408051808201825273ffffffffffffffffffffffffffffffffffffffff84811680835267ffffffffffffffff85811660208086018281525f8b81526002835288902096518754915196167fffffffff0000000000000000000000000000000000000000000000000000000090911617740100000000000000000000000000000000000000009590931694909402919091179093559251918252339186917f4cf3c3265c6810da87bd447880da67565c12006982bd4dfd904f21d591c0620f910160405180910390a4505050565b60408051610100810182525f80825260208201819052918101829052606081018290526080810182905260a0810182905260c0810182905260e08101919091525f82815260016020818152604092839020835161010081018552815473ffffffffffffffffffffffffffffffffffffffff811680835267ffffffffffffffff740100000000000000000000000000000000000000008304169483019490945263ffffffff7c0100000000000000000000000000000000000000000000000000000000909104169481019490945280830154606085015260028101546080850152600301549182900b60a084015260ff6201000083048116151560c08501526301000000909204909116151560e08301526104f7576040517f0a2de0f300000000000000000000000000000000000000000000000000000000815260048101849052602401610583565b5f82815260208190526040902060010154610814816110ae565b61081e83836110bb565b50505050565b73ffffffffffffffffffffffffffffffffffffffff81163314610873576040517f6697b23200000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b61087d82826111b4565b505050565b7feefb95e842a3287179d933b4460be539a1d5af11aa8b325bb45c5c8dc92de4ed6108ac816110ae565b6108b88585858561126d565b604051600183900b815285907f420fb4181ac349f0460f85559d066788a9ff47e9e7e33f5133388bdce121a32b9060200160405180910390a25050505050565b5f8181526002602090815260409182902082518084019093525473ffffffffffffffffffffffffffffffffffffffff81168084527401000000000000000000000000000000000000000090910467ffffffffffffffff169183019190915261098f576040517fa0d922df00000000000000000000000000000000000000000000000000000000815260048101839052602401610583565b805173ffffffffffffffffffffffffffffffffffffffff1633146109e8576040517f8abe776800000000000000000000000000000000000000000000000000000000815260048101839052336024820152604401610583565b806020015167ffffffffffffffff16421115610a495760208101516040517fb92742ca0000000000000000000000000000000000000000000000000000000081526004810184905267ffffffffffffffff9091166024820152604401610583565b610a5233610fc7565b610a91576040517f84ff5d4b00000000000000000000000000000000000000000000000000000000815260048101839052336024820152604401610583565b5f8281526001602090815260408083208054337fffffffffffffffffffffffff0000000000000000000000000000000000000000821681178355600290945282852080547fffffffff000000000000000000000000000000000000000000000000000000001690559151909373ffffffffffffffffffffffffffffffffffffffff9092169291839187917f0835ebe07607fd25b93af60d449cd1ed6ce3d4c3cfbb359acdd915f9747fd6b291a450505050565b5f610b4e85610ec1565b80549091507c0100000000000000000000000000000000000000000000000000000000900463ffffffff16610b848160016116c2565b82547bffffffffffffffffffffffffffffffffffffffffffffffffffffffff167c010000000000000000000000000000000000000000000000000000000063ffffffff9283160217835560408051918316825260208201879052600186900b9082015260608101849052339087907f7439767adf3ba717495bd8e648ce71a9a86e65ce4c967c9066c84bee76910e479060800160405180910390a36003820154600190810b9085900b811215610cb4576003830180547fffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00ffff16620100001790556040805163ffffffff84168152600187810b602083015283900b9181019190915287907fffed6b931a20a373611fcbb2ff37f62ed92bd1289e852a67070abf5aa7cf805f9060600160405180910390a25b50505050505050565b7feefb95e842a3287179d933b4460be539a1d5af11aa8b325bb45c5c8dc92de4ed610ce7816110ae565b61081e848484617fff61126d565b5f82815260208190526040902060010154610d0f816110ae565b61081e83836111b4565b7f2a5f906c256a5d799494fcd066e1f6c077689de1cdb65052a1624de4bace99bf610d43816110ae565b5f610d4d83610ec1565b6003810180547fffffffffffffffffffffffffffffffffffffffffffffffffffffffff00ffffff1663010000001790555f8481526002602052604080822080547fffffffff0000000000000000000000000000000000000000000000000000000016905551919250339185917f5cb4c4f3d94871f41b918328bd583e85a293c74392332318d4884cff61ec765f91a3505050565b610dea81610ec1565b505f8181526002602052604090205473ffffffffffffffffffffffffffffffffffffffff1680610e49576040517fa0d922df00000000000000000000000000000000000000000000000000000000815260048101839052602401610583565b5f8281526002602052604080822080547fffffffff000000000000000000000000000000000000000000000000000000001690555173ffffffffffffffffffffffffffffffffffffffff831691339185917f0537d4def618baacad6a508fa5bc83ac57f132a04f23cece83710b275ecf77c791a45050565b5f818152600160205260409020805473ffffffffffffffffffffffffffffffffffffffff1680610f20576040517f0a2de0f300000000000000000000000000000000000000000000000000000000815260048101849052602401610583565b60038201546301000000900460ff1615610f69576040517f5092807f00000000000000000000000000000000000000000000000000000000815260048101849052602401610583565b73ffffffffffffffffffffffffffffffffffffffff81163314610fc1576040517fac1c271600000000000000000000000000000000000000000000000000000000815260048101849052336024820152604401610583565b50919050565b73ffffffffffffffffffffffffffffffffffffffff81165f9081527f78a77cfe307ce8994419a2f35babe178ca6c2ed7d27e92a502e3530dbdf492f0602052604081205460ff168061105c575073ffffffffffffffffffffffffffffffffffffffff82165f9081527f7d2ff12adb962f8af2796f09b4dfd39c23d7c774bbd4cb0e6564ba0669af2afc602052604090205460ff165b806104f7575073ffffffffffffffffffffffffffffffffffffffff82165f9081527f6b476db4b19b8e11ac475b323c35b9d0f52831cf1d8cf1455692d57ffbccaaac602052604090205460ff166104f7565b6110b881336113f4565b50565b5f8281526020818152604080832073ffffffffffffffffffffffffffffffffffffffff8516845290915281205460ff166111ad575f8381526020818152604080832073ffffffffffffffffffffffffffffffffffffffff86168452909152902080547fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff0016600117905561114b3390565b73ffffffffffffffffffffffffffffffffffffffff168273ffffffffffffffffffffffffffffffffffffffff16847f2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d60405160405180910390a45060016104f7565b505f6104f7565b5f8281526020818152604080832073ffffffffffffffffffffffffffffffffffffffff8516845290915281205460ff16156111ad575f8381526020818152604080832073ffffffffffffffffffffffffffffffffffffffff8616808552925280832080547fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff0016905551339286917ff6391f5c32d9c69d2a47ea670b442974b53935d1edc7fd64eb21e047a839171b9190a45060016104f7565b836112a4576040517f2849333100000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b5f848152600160205260409020805473ffffffffffffffffffffffffffffffffffffffff1615611303576040517f7a734a3600000000000000000000000000000000000000000000000000000000815260048101869052602401610583565b80547fffffffff0000000000000000000000000000000000000000000000000000000016337fffffffff0000000000000000ffffffffffffffffffffffffffffffffffffffff811691909117740100000000000000000000000000000000000000004267ffffffffffffffff160217825560018201859055600282018490556003820180547fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00001661ffff8516179055604080518681526020810186905287917fb315f799fb631b3fb824e6e376b9f80fdacdc9ef9e9842fe9daec7f23875cbe8910160405180910390a35050505050565b5f8281526020818152604080832073ffffffffffffffffffffffffffffffffffffffff8516845290915290205460ff16611479576040517fe2517d3f00000000000000000000000000000000000000000000000000000000815273ffffffffffffffffffffffffffffffffffffffff8216600482015260248101839052604401610583565b5050565b5f6020828403121561148d575f5ffd5b81357fffffffff00000000000000000000000000000000000000000000000000000000811681146114bc575f5ffd5b9392505050565b803573ffffffffffffffffffffffffffffffffffffffff811681146114e6575f5ffd5b919050565b5f5f5f606084860312156114fd575f5ffd5b8335925061150d602085016114c3565b9150604084013567ffffffffffffffff81168114611529575f5ffd5b809150509250925092565b5f60208284031215611544575f5ffd5b5035919050565b5f6101008201905073ffffffffffffffffffffffffffffffffffffffff835116825267ffffffffffffffff602084015116602083015263ffffffff6040840151166040830152606083015160608301526080830151608083015260a08301516115b960a084018260010b9052565b5060c08301516115cd60c084018215159052565b5060e08301516115e160e084018215159052565b5092915050565b5f5f604083850312156115f9575f5ffd5b82359150611609602084016114c3565b90509250929050565b8035600181900b81146114e6575f5ffd5b5f5f5f5f60808587031215611636575f5ffd5b84359350602085013592506040850135915061165460608601611612565b905092959194509250565b5f5f5f5f60808587031215611672575f5ffd5b843593506020850135925061168960408601611612565b9396929550929360600135925050565b5f5f5f606084860312156116ab575f5ffd5b505081359360208301359350604090920135919050565b63ffffffff81811683821601908111156104f7577f4e487b71000000000000000000000000000000000000000000000000000000005f52601160045260245ffdfea26469706673582212209753357f24d570f150967e383cd0bdd4eac80d39e143a8afa3a12dc7b5f5ec4564736f6c63430008250033' as const;

/** The artifact in Hardhat's shape, for deploy helpers that take one. */
export const supplyChainArtifact = {
  contractName: 'SupplyChain',
  sourceName: 'contracts/SupplyChain.sol',
  abi: supplyChainAbi,
  bytecode: supplyChainBytecode,
} as const;
